"""The checks find what they must and nothing on a clean warehouse; the guard corrects what
slipped through before a day commits, or refuses the day."""

from datetime import date

import pytest

from ingestion.checks import (
    class_violations,
    expectation_failures,
    forbidden_records,
    personal_data_findings,
)
from ingestion.guard import GuardError, guard_day
from ingestion.lake import connect_lake
from ingestion.warehouse import SCHEMA
from tests.conftest import record_id

DAY = date(2026, 1, 10)
TS = "2026-01-10T12:00:00+05:00"
CUTOFF = date(2023, 1, 1)


def _ingested(zone):
    zone.events(
        "2026-01-10",
        [zone.event(f"e{i}", TS, user_id=f"u{i}") for i in range(5)]
        + [zone.event("anon", TS, page_url="https://visitalmaty.kz/?utm_source=x")],
    )
    zone.searches("2026-01-10", [zone.search("s1", TS, "call me 87012345678")])
    zone.ingest("2026-01-10")
    return connect_lake(zone.warehouse)


def _break_rules(con) -> None:
    """What a faulty rule could let through, written straight into the stored rows."""
    con.execute(
        f"update {SCHEMA}.events set page_url = 'https://x.kz/?e=ivan@mail.kz', "
        f"locale = 'ivan@mail.kz' where event_id = '{record_id('e1')}'"
    )
    con.execute(f"update {SCHEMA}.searches set query = 'iin 900101300123'")
    con.execute(
        f"update {SCHEMA}.events set device_class = 'fridge', browser_major = '77012345678' "
        f"where event_id = '{record_id('e3')}'"
    )


def test_a_clean_warehouse_passes_every_check(zone) -> None:
    con = _ingested(zone)
    for feed in ("events", "searches"):
        assert class_violations(con, feed, DAY, DAY) == {}
        assert personal_data_findings(con, feed, DAY, DAY) == {}
        assert forbidden_records(con, feed, DAY, DAY, CUTOFF) == {}
        assert expectation_failures(con, feed, DAY, DAY) == {}


def test_checks_catch_what_slipped_through(zone) -> None:
    con = _ingested(zone)
    _break_rules(con)
    con.execute(
        f"insert into {SCHEMA}.suppressed_subjects "
        f"select sha256(user_pseudonym), 'erasure', null from {SCHEMA}.events "
        f"where event_id = '{record_id('e2')}'"
    )

    con.execute(f"update {SCHEMA}.events set ip_network = '95.56.1.7' where user_pseudonym is null")
    assert class_violations(con, "events", DAY, DAY) == {
        "ip_network": 1,
        "locale": 1,
        "device_class": 1,
        "browser_major": 1,
    }
    assert personal_data_findings(con, "events", DAY, DAY) == {"page_url": {"email": 1}}
    assert personal_data_findings(con, "searches", DAY, DAY) == {"query": {"iin": 1}}
    assert forbidden_records(con, "events", DAY, DAY, CUTOFF) == {"erasure": 1}
    # anonymous records older than the cutoff
    assert forbidden_records(con, "events", DAY, DAY, date(2026, 2, 1)) == {
        "erasure": 1,
        "retention": 1,
    }
    failures = expectation_failures(con, "events", DAY, DAY)
    assert any("device_class" in name for name in failures)
    assert any("ip_network" in name for name in failures)


def test_the_guard_corrects_each_column_and_leaves_nothing_for_the_checks(zone) -> None:
    con = _ingested(zone)
    _break_rules(con)
    assert guard_day(con, "events", DAY, CUTOFF) == {
        "locale": 1,
        "device_class": 1,
        "browser_major": 1,
        "page_url": 1,
    }
    assert guard_day(con, "searches", DAY, CUTOFF) == {"query": 1}
    for feed in ("events", "searches"):
        assert class_violations(con, feed, DAY, DAY) == {}
        assert personal_data_findings(con, feed, DAY, DAY) == {}
    assert con.execute(
        f"select locale, device_class, browser_major, page_url from {SCHEMA}.events "
        f"where event_id in ('{record_id('e1')}', '{record_id('e3')}') order by event_id"
    ).fetchall() == sorted(
        [
            ("other", "desktop", "124", "https://x.kz/?e=<email>"),
            ("ru-KZ", "unknown", None, "https://visitalmaty.kz/"),
        ],
        key=lambda row: {"other": record_id("e1"), "ru-KZ": record_id("e3")}[row[0]],
    )
    assert con.execute(f"select query from {SCHEMA}.searches").fetchall() == [("iin <iin>",)]


def test_the_guard_refuses_a_day_that_holds_a_suppressed_subject(zone) -> None:
    con = _ingested(zone)
    con.execute(
        f"insert into {SCHEMA}.suppressed_subjects "
        f"select sha256(user_pseudonym), 'erasure', null from {SCHEMA}.events "
        f"where event_id = '{record_id('e2')}'"
    )
    with pytest.raises(GuardError) as raised:
        guard_day(con, "events", DAY, CUTOFF)
    assert str(raised.value) == (
        "events 2026-01-10: not stored, the checks still find "
        "records of suppressed or expired subjects: erasure"
    )


def test_the_guard_refuses_a_value_it_cannot_correct(zone) -> None:
    con = _ingested(zone)
    # a required column: its class's fallback (NULL) cannot be stored
    con.execute(f"update {SCHEMA}.events set ip_network = '95.56.1.7'")
    with pytest.raises(GuardError) as raised:
        guard_day(con, "events", DAY, CUTOFF)
    assert str(raised.value) == (
        "events 2026-01-10: not stored, ip_network holds values outside its class "
        "(coarsened network) that nothing may replace"
    )
