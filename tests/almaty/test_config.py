from datetime import date
from pathlib import Path

import pytest

from almaty.config import SETTINGS, load_settings
from almaty.errors import ConfigError

TODAY = date(2026, 11, 25)


def test_defaults_apply_when_nothing_is_set() -> None:
    settings = load_settings({}, today=TODAY)
    assert settings.landing_dir == Path("data/landing")
    assert settings.warehouse == Path("data/warehouse")
    assert settings.export_dir == Path("data/exports")
    assert settings.secret_key_file == Path("data/secret.key")
    assert settings.as_of == TODAY
    assert settings.retention_years == 3
    assert settings.api_token is None


def test_environment_overrides_every_setting(tmp_path: Path) -> None:
    env = {
        "ALMATY_LANDING_DIR": str(tmp_path / "in"),
        "ALMATY_WAREHOUSE": str(tmp_path / "wh"),
        "ALMATY_EXPORT_DIR": str(tmp_path / "out"),
        "ALMATY_SECRET_KEY_FILE": str(tmp_path / "k"),
        "ALMATY_AS_OF": "2029-01-31",
        "ALMATY_RETENTION_YEARS": "5",
        "ALMATY_MIN_GROUP_SIZE": "25",
        "ALMATY_API_TOKEN": "a-long-random-api-token",
    }
    settings = load_settings(env, today=TODAY)
    assert settings.landing_dir == tmp_path / "in"
    assert settings.warehouse == tmp_path / "wh"
    assert settings.export_dir == tmp_path / "out"
    assert settings.secret_key_file == tmp_path / "k"
    assert settings.as_of == date(2029, 1, 31)
    assert settings.retention_years == 5
    assert settings.min_group_size == 25
    assert settings.api_token == "a-long-random-api-token"
    assert settings.published == tmp_path / "wh" / "published.duckdb"


def test_blank_values_mean_the_default() -> None:
    settings = load_settings({"ALMATY_WAREHOUSE": "  ", "ALMATY_AS_OF": ""}, today=TODAY)
    assert settings.warehouse == Path("data/warehouse")
    assert settings.as_of == TODAY


@pytest.mark.parametrize("bad", ["2026-02-30", "25.11.2026", "tomorrow"])
def test_a_bad_as_of_date_names_the_variable(bad: str) -> None:
    with pytest.raises(ConfigError, match="ALMATY_AS_OF") as caught:
        load_settings({"ALMATY_AS_OF": bad})
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("name", ["ALMATY_RETENTION_YEARS", "ALMATY_MIN_GROUP_SIZE"])
@pytest.mark.parametrize("bad", ["0", "-1", "three", "2.5"])
def test_counts_must_be_whole_numbers(name: str, bad: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: bad})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in SETTINGS:
        assert f"`{name}`" in readme, name


def test_the_api_token_never_shows_in_the_settings_repr() -> None:
    settings = load_settings({"ALMATY_API_TOKEN": "a-long-random-api-token"})
    assert "a-long-random-api-token" not in repr(settings)


@pytest.mark.parametrize(
    "bad", ["short", "sixteen chars ok", "токен-токен-токен-токен", "tab\there-0123456789"]
)
def test_a_weak_or_odd_api_token_is_refused_without_quoting_it(bad: str) -> None:
    with pytest.raises(ConfigError, match="ALMATY_API_TOKEN") as caught:
        load_settings({"ALMATY_API_TOKEN": bad})
    assert bad not in str(caught.value)
