import stat
from pathlib import Path

import pytest

from almaty.errors import AlmatyError, ConfigError
from almaty.secret import SECRET_BYTES, create_secret, load_secret


def test_created_secret_is_private_random_hex(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "secret.key"
    create_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = load_secret(path)
    assert len(secret) == SECRET_BYTES
    other = tmp_path / "other.key"
    create_secret(other)
    assert load_secret(other) != secret


def test_an_existing_secret_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    create_secret(path)
    before = path.read_bytes()
    with pytest.raises(AlmatyError, match="refusing to overwrite"):
        create_secret(path)
    assert path.read_bytes() == before


def test_a_missing_secret_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="almaty secret init") as caught:
        load_secret(tmp_path / "absent.key")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("ab" * 16, "at least 32"),
        ("zz" * 40, "hex text"),
        ("abc", "hex text"),
        ("", "hex text"),
    ],
)
def test_a_weak_or_broken_secret_is_refused(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "secret.key"
    path.write_text(content)
    with pytest.raises(ConfigError, match=reason):
        load_secret(path)


def test_surrounding_whitespace_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("\n  " + "0f" * 40 + "  \n")
    assert load_secret(path) == bytes.fromhex("0f" * 40)
