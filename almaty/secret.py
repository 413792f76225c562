"""The pseudonymization secret: created once, kept out of git, never printed.

Every keyed pseudonym in the warehouse derives from it, so losing it breaks joins
with new data and leaking it lets identifiers be confirmed by guessing.
"""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

from almaty.errors import AlmatyError, ConfigError

SECRET_BYTES = 32


def create_secret(path: Path) -> None:
    """Write a new random secret to `path` with mode 0600; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AlmatyError(
            f"{path}: a secret key file exists already; refusing to overwrite it "
            "(every pseudonym in the warehouse depends on it)"
        ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(SECRET_BYTES) + "\n")


def load_secret(path: Path) -> bytes:
    """The secret's bytes, or a ConfigError that says how to create one."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no secret key file; create one with `almaty secret init` "
            "or point ALMATY_SECRET_KEY_FILE at yours"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not ASCII hex text"
        raise ConfigError(f"{path}: cannot read the secret key file ({reason})") from None
    if len(text) % 2 or not text or any(c not in string.hexdigits for c in text):
        raise ConfigError(f"{path}: the secret key file must hold hex text")
    if len(text) < 2 * SECRET_BYTES:
        raise ConfigError(
            f"{path}: the secret key file holds {len(text) // 2} bytes; at least "
            f"{SECRET_BYTES} are needed (create a new one with `almaty secret init`)"
        )
    return bytes.fromhex(text)
