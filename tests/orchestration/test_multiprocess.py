"""A run with Dagster's multiprocess executor (as the UI launches them): steps wait for the
warehouse pool's one slot instead of failing on DuckDB's file lock."""

import subprocess
import sys
from pathlib import Path

from almaty.config import load_settings
from almaty.secret import create_secret
from orchestration.launch import dagster_home


def test_a_multiprocess_run_serializes_warehouse_steps(cli_zone, almaty_env) -> None:
    for day in ("2026-01-10", "2026-01-11"):
        cli_zone.events(
            day, [cli_zone.event(f"{day}-{i}", f"{day}T10:00:00+05:00") for i in range(5)]
        )
    create_secret(Path(almaty_env["ALMATY_SECRET_KEY_FILE"]))
    home = dagster_home(load_settings(almaty_env))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            "pipeline",
            "--tags",
            '{"dagster/partition": "2026-01-10"}',
        ],
        env={**almaty_env, "DAGSTER_HOME": str(home)},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "RUN_SUCCESS" in output
    assert "Step blocked by limit for pool warehouse" in output  # they queued, not collided
    assert cli_zone.query(
        "select delivery_day::varchar, count(*) from ingested.events group by 1"
    ) == [("2026-01-10", 5)]
