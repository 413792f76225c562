"""Visit Almaty City warehouse: configuration and the `almaty` command."""
