"""`python -m almaty` is the `almaty` command."""

from almaty.cli import main

raise SystemExit(main())
