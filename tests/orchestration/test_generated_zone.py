"""The whole ingestion on a generated landing zone with every edge case of the contract.

Expectations are computed from the landing files directly, independently of the pipeline.
"""

from __future__ import annotations

from datetime import date

import pytest

from ingestion.lake import connect_lake
from privacy.pseudonyms import Pseudonymizer
from tests.generated import AS_OF, DAYS, START, erasures, fingerprint, query, records


@pytest.fixture(scope="module")
def ingested(generated_run: dict) -> dict:
    return generated_run


def test_every_day_is_ingested_with_a_progress_line(ingested) -> None:
    for n in range(DAYS):
        day = date.fromordinal(START.toordinal() + n)
        assert f"events {day}:" in ingested["stdout"]
        assert f"searches {day}:" in ingested["stdout"]


def test_quarantine_holds_exactly_the_lines_the_contract_rejects(ingested) -> None:
    for feed in ("events", "searches"):
        rejected = {
            (source, number): verdict
            for source, number, _, verdict in records(ingested["landing"], feed)
            if verdict is not None
        }
        quarantined = {
            (source, number): reason
            for source, number, reason in query(
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
    erased, held = erasures(landing)
    latest: dict[tuple[str, str], tuple[str, bool]] = {}
    for _, _, record, verdict in records(landing, "consent"):
        if record is None or verdict is not None or record["user_id"] is None:
            continue
        for scope in ("analytics",) if record["scope"] in ("analytics", "all") else ():
            key = (record["user_id"], scope)
            stamp = (record["ts"], not record["granted"])  # a refusal wins a tie
            if key not in latest or stamp > latest[key]:
                latest[key] = stamp
    opted_out = {user for (user, _), (_, refused) in latest.items() if refused}
    account: dict[str, tuple[str, str]] = {}
    for _, _, record, verdict in records(landing, "accounts"):
        if record is not None and verdict is None:
            stamp = (record["ts"], record["status"])
            account[record["user_id"]] = max(account.get(record["user_id"], stamp), stamp)
    cutoff = AS_OF.replace(year=AS_OF.year - 3).isoformat()
    expired = {u for u, (ts, status) in account.items() if status == "terminated" and ts < cutoff}
    assert erased and held and opted_out and expired
    users = Pseudonymizer(secret, "user")
    stored = {u for (u,) in query(ingested, "select distinct user_pseudonym from ingested.events")}
    assert not stored & {users(u) for u in erased | opted_out | expired}
    states = dict(
        query(ingested, "select state, count(*) from ingested.erasure_requests group by 1")
    )
    assert states["deferred"] > 0 and states["done"] > 0


def test_no_raw_identifier_address_or_agent_is_stored_anywhere(ingested) -> None:
    raw: set[str] = set()
    for feed in ("events", "searches"):
        for _, _, record, verdict in records(ingested["landing"], feed):
            if record and verdict is None:  # a malformed line's "unknown" is no identifier
                for name in ("user_id", "anonymous_id", "device_id", "ip", "user_agent"):
                    if isinstance(record.get(name), str):
                        raw.add(record[name])
    with connect_lake(ingested["warehouse"], read_only=True) as con:
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
        for _, _, record, verdict in records(ingested["landing"], "events")
        if verdict in (None, "wrong_type") and record["event_type"] == "booking"
    }
    stored = dict(
        query(
            ingested,
            "select event_id, amount_kzt from ingested.events where event_type = 'booking'",
        )
    )
    assert stored and set(stored) <= set(bookings)
    assert all(stored[e] == bookings[e][0] for e in stored if bookings[e][1] is None)
    dropped = query(
        ingested, "select sum(records) from ingested.ingestion_drops where feed = 'events'"
    )
    assert dropped[0][0] > 0


def test_the_landing_zone_is_read_never_written(ingested) -> None:
    assert ingested["files_before"]
    assert fingerprint(ingested["landing"]) == ingested["files_before"]
