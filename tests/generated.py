"""A generated landing zone with every edge case of the contract, run through the whole
pipeline once per test session; helpers that read its landing files independently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from almaty.secret import create_secret, load_secret
from landing.contract import check_record, iter_zone_files, open_lines
from landing.generate import generate_landing_zone

REPO = Path(__file__).resolve().parents[1]
START, DAYS = date(2024, 2, 25), 10  # crosses Almaty's change from UTC+6 to UTC+5
AS_OF = date(2027, 3, 1)  # some accounts ended more than three years before


def run_generated_zone(root: Path) -> dict:
    """Generate the zone under `root`, run `almaty run` on it, and say where everything is."""
    landing, warehouse, secret = root / "landing", root / "warehouse.duckdb", root / "secret.key"
    generate_landing_zone(landing, start=START, days=DAYS, users=300, events_per_day=2000, seed=7)
    create_secret(secret)
    files_before = fingerprint(landing)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")},
        "ALMATY_LANDING_DIR": str(landing),
        "ALMATY_WAREHOUSE": str(warehouse),
        "ALMATY_SECRET_KEY_FILE": str(secret),
        "ALMATY_AS_OF": AS_OF.isoformat(),
    }
    result = subprocess.run(
        [sys.executable, "-m", "almaty", "run"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr  # blocking checks included
    return {
        "landing": landing,
        "warehouse": warehouse,
        "secret": load_secret(secret),
        "stdout": result.stdout,
        "files_before": files_before,
        "env": env,
    }


def fingerprint(landing: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(landing).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in landing.rglob("*")
        if p.is_file()
    }


def records(landing: Path, feed: str) -> list[tuple[str, int, dict | None, str | None]]:
    """(source, line number, record or None, contract verdict) for every non-blank line."""
    out = []
    for name, path in iter_zone_files(landing):
        if name != feed:
            continue
        source = path.relative_to(landing).as_posix()
        for number, line in enumerate(open_lines(path), start=1):
            if not line.strip():
                continue
            verdict = check_record(feed, line)
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            out.append((source, number, record if isinstance(record, dict) else None, verdict))
    return out


def query(ingested: dict, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(ingested["warehouse"]), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
