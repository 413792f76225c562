"""The Great Expectations suites of the marts the dashboards read.

What an analyst relies on without looking: keys are never null, rates are shares between 0 and
1, counts are not negative, sums of money are never null (but may be negative: refunds are
valid data and are subtracted from revenue), and every day from the first to the last has rows
(a day left out of a build), but not an implausible number of them (a join gone wrong multiplies
rows). An empty mart is no error: with few visitors every group is too small to show; nor is an
empty day of a mart whose groups are rare (adverts seen by enough people).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from quality.expectations import Rule, failed_expectations


@dataclass(frozen=True)
class MartSuite:
    day: str  # the mart's date column
    keys: tuple[str, ...]
    rates: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()  # sums of money, refunds included: any sign
    min_rows_per_day: int = 1
    max_rows_per_day: int = 10_000


MART_SUITES: dict[str, MartSuite] = {
    "fct_traffic_daily": MartSuite(
        day="activity_date",
        keys=("activity_date", "app", "device_class", "browser_family", "locale", "channel"),
        rates=("bounce_rate", "bot_share"),
        counts=("visitors", "sessions", "page_views"),
    ),
    "fct_searches_daily": MartSuite(
        day="search_date",
        keys=("search_date", "query", "query_language"),
        rates=("zero_result_rate", "click_through_rate", "request_rate", "booking_rate"),
        counts=("searches", "searchers"),
    ),
    "fct_listings_daily": MartSuite(
        day="activity_date",
        keys=("activity_date", "listing_id", "category", "district", "is_promoted"),
        rates=("request_rate", "booking_rate"),
        counts=("visitors", "views", "bookings", "refunds"),
        amounts=("revenue_kzt", "promotion_revenue_kzt"),
        max_rows_per_day=100_000,
    ),
    "fct_adverts_daily": MartSuite(
        day="activity_date",
        keys=("activity_date", "advert_id"),
        rates=("click_through_rate",),
        counts=("viewers", "impressions", "clicks"),
        # a quiet day may have no advert seen by min_group_size people, 'other' folded in:
        # a year of 20,000-event days has 76 such days
        min_rows_per_day=0,
    ),
    "fct_consent_daily": MartSuite(
        day="consent_date",
        keys=("consent_date", "scope"),
        counts=("subjects_granted", "subjects_opted_out", "grants", "opt_outs"),
        max_rows_per_day=4,  # one per scope
    ),
}


def _rules(suite: MartSuite) -> list[Rule]:
    return [
        *[
            ("ExpectColumnValuesToNotBeNull", {"column": column})
            for column in (*suite.keys, *suite.amounts)
        ],
        ("ExpectCompoundColumnsToBeUnique", {"column_list": list(suite.keys)}),
        *[
            ("ExpectColumnValuesToBeBetween", {"column": rate, "min_value": 0, "max_value": 1})
            for rate in suite.rates
        ],
        *[
            ("ExpectColumnValuesToBeBetween", {"column": count, "min_value": 0})
            for count in suite.counts
        ],
    ]


def rows_per_day(frame: pd.DataFrame, day: str, unread: Collection[date] = ()) -> pd.DataFrame:
    """Rows of `frame` per day, with 0 for days between the first and last that have none,
    except the `unread` ones: delivery days whose files could not be read hold nothing
    (`every_day_read` reports them), and must not keep the other days from being published."""
    days = pd.to_datetime(frame[day])
    if days.empty:
        return pd.DataFrame({"day": [], "rows": []})
    calendar = pd.date_range(days.min(), days.max(), freq="D")
    calendar = calendar[~calendar.isin(pd.to_datetime(list(unread)))]
    counts = days.value_counts().reindex(calendar, fill_value=0)
    return pd.DataFrame({"day": calendar, "rows": counts.to_numpy()})


def mart_failures(mart: str, frame: pd.DataFrame, unread: Collection[date] = ()) -> dict[str, Any]:
    """Failed expectations of `mart`'s suite on its rows; empty when all pass. Days in
    `unread` may have no rows (see `rows_per_day`)."""
    suite = MART_SUITES[mart]
    failures = failed_expectations(mart, _rules(suite), frame)
    per_day = failed_expectations(
        f"{mart}_rows_per_day",
        [
            (
                "ExpectColumnValuesToBeBetween",
                {
                    "column": "rows",
                    "min_value": suite.min_rows_per_day,
                    "max_value": suite.max_rows_per_day,
                },
            )
        ],
        rows_per_day(frame, suite.day, unread),
    )
    return failures | {f"rows per {suite.day}": count for count in per_day.values()}
