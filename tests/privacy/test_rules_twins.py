"""Each privacy rule's Python function and its SQL twin agree on every class of input, so
ingestion, the purge, the checks and dbt (through its macros) apply the same rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import product

import duckdb
import pytest

from privacy.consent import (
    geolocation_allowed,
    geolocation_allowed_sql,
    use_allowed,
    use_allowed_sql,
)
from privacy.days import almaty_day, almaty_day_sql, almaty_midnight, almaty_midnight_sql
from privacy.listings import listing_retired, listing_retired_sql
from privacy.retention import (
    account_expired,
    account_expired_sql,
    anonymous_record_expired,
    anonymous_record_expired_sql,
    retention_cutoff,
)
from privacy.suppression import (
    SUPPRESSION_REASONS,
    strongest_reason,
    strongest_reason_sql,
    suppression_rank,
)

PLUS_5, PLUS_6 = timezone(timedelta(hours=5)), timezone(timedelta(hours=6))
# Moments around Almaty's midnights, on both sides of its move from UTC+6 to UTC+5, and
# around the shortened night of 2024-03-01.
MOMENTS = [
    datetime(2024, 2, 28, 23, 59, 59, tzinfo=PLUS_6),
    datetime(2024, 2, 29, 0, 0, tzinfo=PLUS_6),
    datetime(2024, 2, 29, 18, 30, tzinfo=UTC),  # 2024-03-01 00:30 in Almaty (+6 still)
    datetime(2024, 3, 1, 0, 0, tzinfo=PLUS_5),
    datetime(2024, 3, 1, 18, 59, 59, tzinfo=UTC),
    datetime(2024, 3, 1, 19, 0, tzinfo=UTC),  # midnight of the 2nd in Almaty
    datetime(2026, 1, 10, 23, 59, 59, 999999, tzinfo=PLUS_5),
    datetime(2026, 1, 10, 19, 0, tzinfo=UTC),
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set TimeZone = 'Europe/Berlin'")  # the session's zone must not matter
    return con


def _sql(con, expression: str, **values):
    names = ", ".join(f"${name} as {name}" for name in values)
    return con.execute(f"select {expression} from (select {names})", values).fetchone()[0]


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_almaty_day_agrees(con, moment: datetime) -> None:
    assert _sql(con, almaty_day_sql("moment::timestamptz"), moment=moment) == almaty_day(moment)


@pytest.mark.parametrize("day", sorted({almaty_day(moment) for moment in MOMENTS}))
def test_the_almaty_midnight_agrees(con, day: date) -> None:
    midnight = _sql(con, almaty_midnight_sql("day::date"), day=day)
    assert midnight == almaty_midnight(day)
    assert almaty_day(midnight) == day
    assert almaty_day(midnight - timedelta(microseconds=1)) == day - timedelta(days=1)


def test_a_naive_moment_has_no_almaty_day() -> None:
    with pytest.raises(ValueError, match="aware"):
        almaty_day(datetime(2026, 1, 10, 12))


@pytest.mark.parametrize(
    ("as_of", "cutoff"),
    [
        (date(2026, 1, 31), date(2023, 1, 31)),
        (date(2028, 2, 29), date(2025, 2, 28)),  # no 29 February that year
        (date(2024, 3, 1), date(2021, 3, 1)),
    ],
)
def test_the_retention_cutoff(as_of: date, cutoff: date) -> None:
    assert retention_cutoff(as_of, 3) == cutoff


@pytest.mark.parametrize(
    ("logged_in", "moment", "cutoff"),
    list(product((False, True), MOMENTS, (date(2024, 3, 1), date(2024, 3, 2), date(2026, 1, 11)))),
)
def test_anonymous_retention_agrees(con, logged_in: bool, moment: datetime, cutoff: date) -> None:
    sql = anonymous_record_expired_sql("u", "moment::timestamptz", cutoff)
    user = "u_1" if logged_in else None
    assert _sql(con, sql, u=user, moment=moment) == anonymous_record_expired(
        logged_in, moment, cutoff
    )


@pytest.mark.parametrize(
    ("status", "moment", "cutoff"),
    list(product(("active", "terminated"), MOMENTS, (date(2024, 3, 1), date(2024, 3, 2)))),
)
def test_account_expiry_agrees(con, status: str, moment: datetime, cutoff: date) -> None:
    sql = account_expired_sql("status", "moment::timestamptz", cutoff)
    assert _sql(con, sql, status=status, moment=moment) == account_expired(status, moment, cutoff)


@pytest.mark.parametrize(
    ("deleted_at", "expires_at", "as_of"),
    list(product((None, MOMENTS[0]), (None, *MOMENTS), (date(2024, 3, 1), date(2024, 3, 2)))),
)
def test_listing_retirement_agrees(con, deleted_at, expires_at, as_of: date) -> None:
    sql = listing_retired_sql("d::timestamptz", "e::timestamptz", as_of)
    assert _sql(con, sql, d=deleted_at, e=expires_at) == listing_retired(
        deleted_at, expires_at, as_of
    )


@pytest.mark.parametrize(("granted", "refused"), list(product((True, False, None), repeat=2)))
def test_geolocation_consent_agrees(con, granted, refused) -> None:
    sql = geolocation_allowed_sql("g::boolean", "r::boolean")
    assert _sql(con, sql, g=granted, r=refused) == geolocation_allowed(bool(granted), bool(refused))


@pytest.mark.parametrize(("then", "now", "gpc"), list(product((True, False, None), repeat=3)))
def test_use_consent_agrees(con, then, now, gpc) -> None:
    sql = use_allowed_sql("t::boolean", "n::boolean", "g::boolean")
    assert _sql(con, sql, t=then, n=now, g=gpc) == use_allowed(bool(then), bool(now), bool(gpc))


@pytest.mark.parametrize(
    "reasons",
    [
        ["analytics_opt_out", "retention"],
        ["retention", "erasure", "analytics_opt_out"],
        ["analytics_opt_out"],
        ["analytics_opt_out", "analytics_opt_out", "erasure"],
    ],
)
def test_suppression_precedence_agrees(con, reasons: list[str]) -> None:
    con.execute("create or replace temp table rs as select unnest($r) as reason", {"r": reasons})
    [(sql_strongest,)] = con.execute(f"select {strongest_reason_sql('reason')} from rs").fetchall()
    assert sql_strongest == strongest_reason(reasons)
    assert strongest_reason(reasons) == min(reasons, key=SUPPRESSION_REASONS.index)


def test_only_suppression_reasons_have_a_rank() -> None:
    assert [suppression_rank(r) for r in SUPPRESSION_REASONS] == [1, 2, 3]
    with pytest.raises(ValueError, match="not a suppression reason"):
        suppression_rank("duplicate")
    assert strongest_reason([]) is None
