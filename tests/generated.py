"""A generated landing zone with every edge case of the contract, run through the whole
pipeline once per test session; helpers that read its landing files independently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from almaty.secret import create_secret, load_secret
from ingestion.lake import connect_lake
from landing.contract import check_record, iter_zone_files, open_lines
from landing.generate import generate_landing_zone
from privacy.pseudonyms import Pseudonymizer

REPO = Path(__file__).resolve().parents[1]
START, DAYS = date(2024, 2, 25), 10  # crosses Almaty's change from UTC+6 to UTC+5
AS_OF = date(2027, 3, 1)  # some accounts ended more than three years before


def run_generated_zone(root: Path) -> dict:
    """Generate the zone under `root`, run `almaty run` on it, and say where everything is."""
    landing, warehouse, secret = root / "landing", root / "warehouse", root / "secret.key"
    # enough searches that some queries are typed by ten people a day and shown by name
    generate_landing_zone(landing, start=START, days=DAYS, users=300, events_per_day=2500, seed=7)
    create_secret(secret)
    files_before = fingerprint(landing)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")},
        "ALMATY_LANDING_DIR": str(landing),
        "ALMATY_WAREHOUSE": str(warehouse),
        "ALMATY_EXPORT_DIR": str(root / "exports"),
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
        "exports": root / "exports",
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
        folder = path.parent.name
        day = (
            date.fromisoformat(folder.removeprefix("date=")) if folder.startswith("date=") else None
        )
        for number, line in enumerate(open_lines(path), start=1):
            if not line.strip():
                continue
            verdict = check_record(feed, line, day)
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            out.append((source, number, record if isinstance(record, dict) else None, verdict))
    return out


def query(ingested: dict, sql: str, params: list | None = None) -> list[tuple]:
    with connect_lake(ingested["warehouse"], read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def refusing_personalization(landing: Path, secret: bytes) -> set[str]:
    """Pseudonyms of the users and visitors whose latest personalization choice refuses."""
    latest: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for _, _, record, verdict in records(landing, "consent"):
        if record is None or verdict is not None:
            continue
        if record["scope"] not in ("personalization", "all"):
            continue
        for kind in ("user", "anonymous"):
            subject = record.get(f"{kind}_id")
            if subject:
                stamp = (
                    datetime.fromisoformat(record["ts"]),
                    not record["granted"],
                )  # a refusal wins a tie
                key = (kind, subject)
                latest[key] = max(latest.get(key, stamp), stamp)
    return {
        Pseudonymizer(secret, kind)(subject)
        for (kind, subject), (_, refused) in latest.items()
        if refused
    }


def erasures(landing: Path) -> tuple[set[str], set[str]]:
    """Raw ids of the users whose erasure is done, and of those held by obligations."""
    erased, held = set(), set()
    requests: dict[str, list[dict]] = defaultdict(list)
    for _, _, record, verdict in records(landing, "erasure_requests"):
        if record is not None and verdict is None:
            requests[record["request_id"]].append(record)
    for lines in requests.values():
        free = not any(r["outstanding_obligations"] for r in lines) or any(
            r["settled_at"] for r in lines
        )
        (erased if free else held).add(lines[0]["user_id"])
    return erased, held
