"""The whole ingestion on a generated landing zone with every edge case of the contract.

Expectations are computed from the landing files directly, independently of the pipeline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from almaty.secret import create_secret, load_secret
from landing.contract import check_record, iter_zone_files, open_lines
from landing.generate import generate_landing_zone
from privacy.pseudonyms import Pseudonymizer

REPO = Path(__file__).resolve().parents[2]
START, DAYS = date(2024, 2, 25), 10  # crosses Almaty's change from UTC+6 to UTC+5
AS_OF = date(2027, 3, 1)  # some accounts ended more than three years before


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("generated")
    landing, warehouse, secret = root / "landing", root / "warehouse.duckdb", root / "secret.key"
    generate_landing_zone(landing, start=START, days=DAYS, users=300, events_per_day=2000, seed=7)
    create_secret(secret)
    files_before = _fingerprint(landing)
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
    }


def _fingerprint(landing: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(landing).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in landing.rglob("*")
        if p.is_file()
    }


def _records(landing: Path, feed: str) -> list[tuple[str, int, dict | None, str | None]]:
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


def _query(ingested: dict, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(ingested["warehouse"]), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_day_is_ingested_with_a_progress_line(ingested) -> None:
    for n in range(DAYS):
        day = date.fromordinal(START.toordinal() + n)
        assert f"events {day}:" in ingested["stdout"]
        assert f"searches {day}:" in ingested["stdout"]


def test_quarantine_holds_exactly_the_lines_the_contract_rejects(ingested) -> None:
    for feed in ("events", "searches"):
        rejected = {
            (source, number): verdict
            for source, number, _, verdict in _records(ingested["landing"], feed)
            if verdict is not None
        }
        quarantined = {
            (source, number): reason
            for source, number, reason in _query(
                ingested,
                "select source, line_number, reason from ingested.quarantine where feed = ?",
                [feed],
            )
        }
        assert quarantined, feed
        # every quarantined line is one the contract rejects, for the same reason ...
        assert {k: rejected.get(k) for k in quarantined} == quarantined
        # ... and every rejected line the warehouse cannot read tolerantly is quarantined
        strict = {"broken_json", "missing_field", "bad_timestamp", "unknown_event_type", "bad_ip"}
        assert {k for k, v in rejected.items() if v in strict} <= set(quarantined)


def test_no_record_of_an_erased_or_opted_out_subject_is_stored(ingested) -> None:
    landing, secret = ingested["landing"], ingested["secret"]
    erased, held = set(), set()
    requests: dict[str, list[dict]] = defaultdict(list)
    for _, _, record, verdict in _records(landing, "erasure_requests"):
        if record is not None and verdict is None:
            requests[record["request_id"]].append(record)
    for lines in requests.values():
        free = not any(r["outstanding_obligations"] for r in lines) or any(
            r["settled_at"] for r in lines
        )
        (erased if free else held).add(lines[0]["user_id"])
    latest: dict[tuple[str, str], tuple[str, bool]] = {}
    for _, _, record, verdict in _records(landing, "consent"):
        if record is None or verdict is not None or record["user_id"] is None:
            continue
        for scope in ("analytics",) if record["scope"] in ("analytics", "all") else ():
            key = (record["user_id"], scope)
            stamp = (record["ts"], not record["granted"])  # a refusal wins a tie
            if key not in latest or stamp > latest[key]:
                latest[key] = stamp
    opted_out = {user for (user, _), (_, refused) in latest.items() if refused}
    account: dict[str, tuple[str, str]] = {}
    for _, _, record, verdict in _records(landing, "accounts"):
        if record is not None and verdict is None:
            stamp = (record["ts"], record["status"])
            account[record["user_id"]] = max(account.get(record["user_id"], stamp), stamp)
    cutoff = AS_OF.replace(year=AS_OF.year - 3).isoformat()
    expired = {u for u, (ts, status) in account.items() if status == "terminated" and ts < cutoff}
    assert erased and held and opted_out and expired
    users = Pseudonymizer(secret, "user")
    stored = {u for (u,) in _query(ingested, "select distinct user_pseudonym from ingested.events")}
    assert not stored & {users(u) for u in erased | opted_out | expired}
    states = dict(
        _query(ingested, "select state, count(*) from ingested.erasure_requests group by 1")
    )
    assert states["deferred"] > 0 and states["done"] > 0


def test_no_raw_identifier_address_or_agent_is_stored_anywhere(ingested) -> None:
    raw: set[str] = set()
    for feed in ("events", "searches"):
        for _, _, record, verdict in _records(ingested["landing"], feed):
            if record and verdict is None:  # a malformed line's "unknown" is no identifier
                for name in ("user_id", "anonymous_id", "device_id", "ip", "user_agent"):
                    if isinstance(record.get(name), str):
                        raw.add(record[name])
    with duckdb.connect(str(ingested["warehouse"]), read_only=True) as con:
        con.execute("create temp table raw_values (v varchar)")
        con.executemany("insert into raw_values values (?)", [(v,) for v in raw])
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema = 'ingested' and data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            hits = con.execute(
                f"select count(*) from {schema}.{table} "
                f'where "{column}" in (select v from raw_values)'
            ).fetchone()[0]
            assert hits == 0, f"{table}.{column}"


def test_bookings_and_revenue_match_the_landing_files(ingested) -> None:
    """Stored bookings are delivered ones (a value of a wrong JSON type is read tolerantly),
    with the amount delivered."""
    bookings = {
        record["event_id"]: (record["amount_kzt"], verdict)
        for _, _, record, verdict in _records(ingested["landing"], "events")
        if verdict in (None, "wrong_type") and record["event_type"] == "booking"
    }
    stored = dict(
        _query(
            ingested,
            "select event_id, amount_kzt from ingested.events where event_type = 'booking'",
        )
    )
    assert stored and set(stored) <= set(bookings)
    assert all(stored[e] == bookings[e][0] for e in stored if bookings[e][1] is None)
    dropped = _query(
        ingested, "select sum(records) from ingested.ingestion_drops where feed = 'events'"
    )
    assert dropped[0][0] > 0


def test_the_landing_zone_is_read_never_written(ingested) -> None:
    assert ingested["files_before"]
    assert _fingerprint(ingested["landing"]) == ingested["files_before"]
