"""The post-ingestion checks find what they must, and nothing on a clean warehouse."""

from datetime import date

import duckdb

from ingestion.checks import expectation_failures, forbidden_records, personal_data_findings
from ingestion.warehouse import SCHEMA

DAY = date(2026, 1, 10)
TS = "2026-01-10T12:00:00+05:00"


def _ingested(zone):
    zone.events(
        "2026-01-10",
        [zone.event(f"e{i}", TS, user_id=f"u{i}") for i in range(5)]
        + [zone.event("anon", TS, page_url="https://visitalmaty.kz/?utm_source=x")],
    )
    zone.searches("2026-01-10", [zone.search("s1", TS, "call me 87012345678")])
    zone.ingest("2026-01-10")
    return duckdb.connect(str(zone.warehouse))


def test_a_clean_warehouse_passes_every_check(zone) -> None:
    con = _ingested(zone)
    for feed in ("events", "searches"):
        assert personal_data_findings(con, feed, DAY, DAY) == {}
        assert forbidden_records(con, feed, DAY, DAY, date(2023, 1, 1)) == {}
        assert expectation_failures(con, feed, DAY, DAY) == {}


def test_checks_catch_what_slipped_through(zone) -> None:
    con = _ingested(zone)
    con.execute(
        f"update {SCHEMA}.events set page_url = 'https://x.kz/?e=ivan@mail.kz', "
        "ip_network = '95.56.1.7' where event_id = 'e1'"
    )
    con.execute(f"update {SCHEMA}.searches set query = 'iin 900101300123'")
    con.execute(
        f"insert into {SCHEMA}.suppressed_subjects "
        f"select sha256(user_pseudonym), 'erasure', null from {SCHEMA}.events "
        "where event_id = 'e2'"
    )
    con.execute(f"update {SCHEMA}.events set device_class = 'fridge' where event_id = 'e3'")

    assert personal_data_findings(con, "events", DAY, DAY) == {
        "page_url": {"email": 1},
        "ip_network": {"ip": 1},
    }
    assert personal_data_findings(con, "searches", DAY, DAY) == {"query": {"iin": 1}}
    assert forbidden_records(con, "events", DAY, DAY, date(2023, 1, 1)) == {"erasure": 1}
    # anonymous records older than the cutoff
    assert forbidden_records(con, "events", DAY, DAY, date(2026, 2, 1)) == {
        "erasure": 1,
        "retention": 1,
    }
    failures = expectation_failures(con, "events", DAY, DAY)
    assert any("device_class" in name for name in failures)
    assert any("ip_network" in name for name in failures)
