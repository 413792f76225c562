"""Every setting of the warehouse, read from the environment in one place.

Relative paths are taken from the current directory, so `make demo` run from the
repository keeps everything under `data/`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from almaty.errors import ConfigError

# name -> (default, what it is); the README's configuration table lists the same.
SETTINGS: dict[str, tuple[str | None, str]] = {
    "ALMATY_LANDING_DIR": ("data/landing", "the landing zone the website delivers (read-only)"),
    "ALMATY_WAREHOUSE": ("data/warehouse", "the warehouse folder (a DuckLake: catalog, Parquet)"),
    "ALMATY_EXPORT_DIR": ("data/exports", "versioned exports such as recommendations"),
    "ALMATY_SECRET_KEY_FILE": ("data/secret.key", "the pseudonymization secret (hex text)"),
    "ALMATY_AS_OF": (None, "the date that counts as today for retention (YYYY-MM-DD)"),
    "ALMATY_RETENTION_YEARS": ("3", "years data is kept after an account ends (policy 4.1)"),
    "ALMATY_MIN_GROUP_SIZE": ("10", "fewest distinct subjects a figure per group may rest on"),
    "ALMATY_API_TOKEN": (None, "the bearer token `almaty serve` requires (no default)"),
}
MIN_API_TOKEN_CHARS = 16


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    export_dir: Path
    secret_key_file: Path
    as_of: date
    retention_years: int = 3
    min_group_size: int = 10
    # Kept out of repr, so printing or logging the settings never shows it.
    api_token: str | None = field(default=None, repr=False)

    @property
    def published(self) -> Path:
        """The dashboards' and the service's copy of the marts: a small DuckDB file of its
        own in the warehouse folder, holding no row about a person."""
        return self.warehouse / "published.duckdb"


def parse_date(text: str, where: str) -> date:
    """A YYYY-MM-DD date, or a ConfigError naming `where` it came from."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not a date of the form YYYY-MM-DD") from None


def load_settings(environ: Mapping[str, str] | None = None, today: date | None = None) -> Settings:
    """Settings from `environ` (default: the process environment); `today` is the real date."""
    env = os.environ if environ is None else environ

    def value(name: str) -> str | None:
        raw = env.get(name, "").strip()
        return raw or SETTINGS[name][0]

    def path(name: str) -> Path:
        return Path(value(name)).expanduser()

    as_of_text = value("ALMATY_AS_OF")
    as_of = parse_date(as_of_text, "ALMATY_AS_OF") if as_of_text else (today or date.today())

    def whole_number(name: str) -> int:
        text = value(name) or ""
        if not text.isdigit() or int(text) < 1:
            raise ConfigError(f"{name}: {text!r} is not a whole number >= 1")
        return int(text)

    api_token = value("ALMATY_API_TOKEN")
    if api_token is not None and not (
        len(api_token) >= MIN_API_TOKEN_CHARS
        and api_token.isascii()
        and api_token.isprintable()
        and " " not in api_token
    ):
        # The message never quotes the value: it is a credential.
        raise ConfigError(
            f"ALMATY_API_TOKEN: must be at least {MIN_API_TOKEN_CHARS} printable ASCII "
            "characters without spaces"
        )

    return Settings(
        landing_dir=path("ALMATY_LANDING_DIR"),
        warehouse=path("ALMATY_WAREHOUSE"),
        export_dir=path("ALMATY_EXPORT_DIR"),
        secret_key_file=path("ALMATY_SECRET_KEY_FILE"),
        as_of=as_of,
        retention_years=whole_number("ALMATY_RETENTION_YEARS"),
        min_group_size=whole_number("ALMATY_MIN_GROUP_SIZE"),
        api_token=api_token,
    )
