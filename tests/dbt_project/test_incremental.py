"""The daily models are incremental: re-running days, or running them in any order and in
parts, gives the marts a single run over every day gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb

from ingestion.lake import connect_lake
from tests.generated import DAYS, REPO, START

DAILY_TABLES = (
    "intermediate.int_activity_sessionized",
    "intermediate.int_sessions",
    "marts.fct_traffic_daily",
    "marts.fct_searches_daily",
    "marts.fct_listings_daily",
    "marts.fct_adverts_daily",
)


def _run(env: dict, warehouse: Path, *days) -> None:
    bounds = [f"--{flag}={day}" for flag, day in zip(("from", "to"), days, strict=True)]
    result = subprocess.run(
        [sys.executable, "-m", "almaty", "run", *bounds],
        env={**env, "ALMATY_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of the daily models, sorted, with doubles rounded (sums may add up in any
    order)."""
    with connect_lake(warehouse, read_only=True) as con:
        return {
            table: sorted(
                tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                for row in con.execute(f"from {table}").fetchall()
            )
            for table in DAILY_TABLES
        }


def test_re_running_a_day_changes_nothing_even_while_a_reader_is_open(
    generated_run: dict, tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse"
    shutil.copytree(generated_run["warehouse"], copy)  # the dashboards' copy with it
    published = copy / "published.duckdb"
    day = START + timedelta(days=4)
    # A dashboard holding the published copy open neither blocks the run nor breaks.
    with duckdb.connect(str(published), read_only=True) as reader:
        before = reader.execute("select published_at from marts.publication").fetchall()
        _run(generated_run["env"], copy, day, day)
        assert reader.execute("select published_at from marts.publication").fetchall() == before
    with duckdb.connect(str(published), read_only=True) as reopened:
        assert reopened.execute("select published_at from marts.publication").fetchall() > before
    assert _rows(copy) == _rows(generated_run["warehouse"])


def test_days_run_in_parts_and_out_of_order_equal_one_run(
    generated_run: dict, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse"
    middle = START + timedelta(days=DAYS // 2)
    _run(generated_run["env"], warehouse, middle, START + timedelta(days=DAYS - 1))
    _run(generated_run["env"], warehouse, START, middle - timedelta(days=1))
    built = _rows(warehouse)
    assert all(built.values())
    assert built == _rows(generated_run["warehouse"])
