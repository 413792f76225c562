"""`make demo` runs `almaty demo`: it must create what is missing and reuse what exists."""

import stat
from pathlib import Path

import duckdb


def test_demo_creates_the_secret_and_sample_data_once(run_almaty, almaty_env) -> None:
    secret = Path(almaty_env["ALMATY_SECRET_KEY_FILE"])
    landing = Path(almaty_env["ALMATY_LANDING_DIR"])

    first = run_almaty("demo")
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert (landing / "events").is_dir() and (landing / "privacy" / "consent").is_dir()
    published = Path(almaty_env["ALMATY_WAREHOUSE"]) / "published.duckdb"
    where_to_look = first.stdout.split("where to look")[1]
    assert str(landing) in where_to_look and str(published) in where_to_look
    assert "almaty dashboards" in where_to_look
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_traffic_daily").fetchall()[0][0] > 0
    assert secret.read_text().strip() not in first.stdout + first.stderr

    key, files = secret.read_bytes(), sorted(p for p in landing.rglob("*") if p.is_file())
    stamps = [p.stat().st_mtime_ns for p in files]
    second = run_almaty("demo")
    assert second.returncode == 0, second.stderr
    assert "using the landing zone" in second.stdout
    assert secret.read_bytes() == key
    assert [p.stat().st_mtime_ns for p in files] == stamps


def test_demo_stops_on_a_broken_secret_without_touching_anything(run_almaty, almaty_env) -> None:
    secret = Path(almaty_env["ALMATY_SECRET_KEY_FILE"])
    secret.write_text("not-hex")
    result = run_almaty("demo")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "hex" in result.stderr
    assert not Path(almaty_env["ALMATY_LANDING_DIR"]).exists()
