"""The Great Expectations suites for what ingestion stores, built from the columns' classes.

Each column's privacy class (`ingestion.columns`) keeps its allow-list as data too: the values
it allows, a pattern, or bounds. The suite turns those into GX expectations, so Great
Expectations checks every stored column independently of the SQL predicates ingestion and
the guard use; it adds the table's own keys (present, unique).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ingestion.columns import class_of
from ingestion.feeds import FEEDS
from quality.expectations import Rule, failed_expectations

# Columns every stored record has.
REQUIRED = ("delivery_day", "occurred_at", "anonymous_pseudonym", "ip_network", "ip_token")


def column_rules(table: str, column: str) -> list[Rule]:
    """The expectations a column's class makes of its values (NULLs aside)."""
    cls = class_of(table, column)
    if cls.values is not None:
        return [("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(cls.values)})]
    if cls.pattern is not None:
        return [
            ("ExpectColumnValuesToMatchRegex", {"column": column, "regex": f"^(?:{cls.pattern})$"})
        ]
    if cls.bounds is not None:
        low, high = cls.bounds
        return [
            (
                "ExpectColumnValuesToBeBetween",
                {"column": column, "min_value": low, "max_value": high},
            )
        ]
    return []


def _suite(feed: str, columns: list[str]) -> list[Rule]:
    """Keys present and unique, and every column inside its class."""
    key = FEEDS[feed].key
    return [
        ("ExpectTableRowCountToBeBetween", {"min_value": 0}),
        ("ExpectColumnValuesToBeUnique", {"column": key}),
        *[("ExpectColumnValuesToNotBeNull", {"column": column}) for column in (key, *REQUIRED)],
        *[rule for column in columns for rule in column_rules(feed, column)],
    ]


def validate_frame(feed: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Failed expectations of `feed`'s suite on `frame`, by name; empty when all pass."""
    return failed_expectations(f"ingested_{feed}", _suite(feed, list(frame.columns)), frame)
