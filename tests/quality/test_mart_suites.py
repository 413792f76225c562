"""The Great Expectations suites of the dashboard marts catch what analysts would trip on."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from quality.marts import mart_failures, rows_per_day


def _adverts(days: int = 3) -> pd.DataFrame:
    first = date(2026, 1, 10)
    return pd.DataFrame(
        {
            "activity_date": [first + timedelta(days=n) for n in range(days)],
            "advert_id": ["lst_1"] * days,
            "viewers": [12] * days,
            "impressions": [20] * days,
            "clicks": [3] * days,
            "click_through_rate": [0.15] * days,
        }
    )


def _consent(days: int) -> pd.DataFrame:
    first = date(2026, 1, 10)
    return pd.DataFrame(
        {
            "consent_date": [first + timedelta(days=n) for n in range(days)],
            "scope": ["analytics"] * days,
            "subjects_granted": [40] * days,
            "subjects_opted_out": [3] * days,
            "grants": [2] * days,
            "opt_outs": [1] * days,
        }
    )


def test_a_sound_mart_passes() -> None:
    assert mart_failures("fct_adverts_daily", _adverts()) == {}


@pytest.mark.parametrize(
    ("column", "value", "failure"),
    [
        ("click_through_rate", 1.5, "expect_column_values_to_be_between(click_through_rate)"),
        ("clicks", -1, "expect_column_values_to_be_between(clicks)"),
        ("advert_id", None, "expect_column_values_to_not_be_null(advert_id)"),
    ],
)
def test_a_broken_value_fails_its_expectation(column: str, value, failure: str) -> None:
    frame = _adverts()
    frame.loc[1, column] = value
    assert failure in mart_failures("fct_adverts_daily", frame)


def test_duplicate_keys_and_a_missing_day_fail() -> None:
    doubled = pd.concat([_adverts(), _adverts().iloc[:1]])
    assert "expect_compound_columns_to_be_unique(table)" in mart_failures(
        "fct_adverts_daily", doubled
    )
    gap = _consent(3).drop(index=1)
    assert mart_failures("fct_consent_daily", gap) == {"rows per consent_date": 1}


def test_a_day_without_an_advert_seen_by_enough_people_is_no_gap() -> None:
    assert mart_failures("fct_adverts_daily", _adverts(3).drop(index=1)) == {}


def test_too_many_rows_in_a_day_fail_and_an_empty_mart_passes() -> None:
    exploded = pd.concat([_adverts(1)] * 10_001, ignore_index=True)
    exploded["advert_id"] = [f"lst_{n}" for n in range(len(exploded))]
    assert mart_failures("fct_adverts_daily", exploded) == {"rows per activity_date": 1}
    assert mart_failures("fct_adverts_daily", _adverts().iloc[:0]) == {}  # few visitors


def test_a_day_that_could_not_be_read_may_have_no_rows() -> None:
    gap = _consent(3).drop(index=1)
    assert mart_failures("fct_consent_daily", gap) == {"rows per consent_date": 1}
    assert mart_failures("fct_consent_daily", gap, unread={date(2026, 1, 11)}) == {}


def test_rows_per_day_counts_days_without_rows_as_zero() -> None:
    frame = pd.DataFrame({"day": [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 3)]})
    assert rows_per_day(frame, "day")["rows"].tolist() == [2, 0, 1]


def _listings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "activity_date": [date(2026, 1, 10)] * 2,
            "listing_id": ["L1", "other"],
            "category": ["accommodation"] * 2,
            "district": ["Medeu"] * 2,
            "is_promoted": [False] * 2,
            "visitors": [12, 30],
            "views": [20, 50],
            "bookings": [1, 0],
            "refunds": [3, 0],
            "revenue_kzt": [-130_000.0, 0.0],  # refunds outweigh the day's booking
            "promotion_revenue_kzt": [-10_000.0, 0.0],
            "request_rate": [0.1, 0.0],
            "booking_rate": [1 / 12, 0.0],
        }
    )


def test_refunds_may_make_revenue_negative_but_counts_stay_non_negative() -> None:
    assert mart_failures("fct_listings_daily", _listings()) == {}
    frame = _listings()
    frame.loc[0, "refunds"] = -1
    assert "expect_column_values_to_be_between(refunds)" in mart_failures(
        "fct_listings_daily", frame
    )
    frame = _listings()
    frame.loc[0, "revenue_kzt"] = None
    assert "expect_column_values_to_not_be_null(revenue_kzt)" in mart_failures(
        "fct_listings_daily", frame
    )
