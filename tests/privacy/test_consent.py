from datetime import UTC, datetime

import duckdb
import pytest

from privacy.consent import consent_at_time_sql, consent_intervals_sql, refused_now_sql


def _t(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table changes (subject text, ts timestamptz, scope text, granted bool)")
    con.executemany(
        "insert into changes values (?, ?, ?, ?)",
        [
            # u1 refuses analytics on the 5th and grants it again on the 10th
            ("u1", _t(5), "analytics", False),
            ("u1", _t(10), "analytics", True),
            # u2 refuses everything, then grants marketing back
            ("u2", _t(3), "all", False),
            ("u2", _t(8), "marketing", True),
            # u3 grants geolocation; a refusal at the very same moment wins
            ("u3", _t(2), "geolocation", True),
            ("u3", _t(6), "personalization", True),
            ("u3", _t(6), "personalization", False),
            # a1 (anonymous) grants geolocation
            ("a1", _t(1), "geolocation", True),
        ],
    )
    con.execute(f"create table intervals as {consent_intervals_sql('changes')}")
    return con


def _at(con, rows: list[tuple[str, datetime, str]]) -> dict[str, tuple]:
    con.execute("create or replace table subjects (key varchar, ts timestamptz, subject varchar)")
    con.executemany("insert into subjects values (?, ?, ?)", rows)
    result = con.sql(consent_at_time_sql("subjects", "intervals"))
    return {row[0]: row[1:] for row in result.fetchall()}


def test_refusal_applies_only_while_in_force(con) -> None:
    flags = _at(con, [("before", _t(4), "u1"), ("during", _t(7), "u1"), ("after", _t(11), "u1")])
    assert flags["before"][0] is False
    assert flags["during"][0] is True
    assert flags["after"][0] is False


def test_all_covers_every_scope_until_one_is_granted_back(con) -> None:
    flags = _at(con, [("k", _t(9), "u2")])
    refused_analytics, refused_personalization, refused_marketing, refused_geo, granted_geo = flags[
        "k"
    ]
    assert (refused_analytics, refused_personalization, refused_marketing, refused_geo) == (
        True,
        True,
        False,
        True,
    )
    assert granted_geo is False


def test_a_refusal_at_the_same_moment_as_a_grant_wins(con) -> None:
    flags = _at(con, [("k", _t(7), "u3")])
    assert flags["k"][1] is True  # personalization refused
    refused_now = con.sql(refused_now_sql("intervals", "personalization")).fetchall()
    assert {s for (s,) in refused_now} == {"u2", "u3"}  # u2 refused `all`


def test_any_subject_of_a_record_refusing_counts(con) -> None:
    # a record of anonymous a1 that appears with user u1: u1's refusal covers it
    flags = _at(con, [("k", _t(6), "a1"), ("k", _t(6), "u1")])
    assert flags["k"][0] is True
    assert flags["k"][4] is True  # a1's explicit geolocation grant


def test_geolocation_needs_an_explicit_grant(con) -> None:
    flags = _at(con, [("granted", _t(3), "u3"), ("silent", _t(3), "u1")])
    assert flags["granted"][4] is True
    assert flags["silent"][4] is False


def test_refused_now_lists_only_current_refusals(con) -> None:
    now_refused = {s for (s,) in con.sql(refused_now_sql("intervals", "analytics")).fetchall()}
    assert now_refused == {"u2"}  # u1 granted analytics back
    with pytest.raises(ValueError, match="unknown consent scope"):
        refused_now_sql("intervals", "all")
