"""The Great Expectations suites for what ingestion stores."""

from __future__ import annotations

from typing import Any

import pandas as pd

from landing.contract import APPS, EVENT_TYPES
from privacy.network import TOKEN_HEX_CHARS
from privacy.pseudonyms import PSEUDONYM_HEX_CHARS
from quality.expectations import Rule, failed_expectations

DEVICE_CLASSES = ("desktop", "mobile", "tablet", "bot", "unknown")


def _suite(feed: str) -> list[Rule]:
    """(expectation class name, arguments) pairs: keys present and unique, values in range."""
    key = {"events": "event_id", "searches": "search_id"}[feed]
    rules: list[Rule] = [
        ("ExpectTableRowCountToBeBetween", {"min_value": 0}),
        ("ExpectColumnValuesToBeUnique", {"column": key}),
        *[
            ("ExpectColumnValuesToNotBeNull", {"column": column})
            for column in (key, "delivery_day", "occurred_at", "anonymous_pseudonym", "ip_token")
        ],
        ("ExpectColumnValuesToBeInSet", {"column": "app", "value_set": list(APPS)}),
        (
            "ExpectColumnValuesToBeInSet",
            {"column": "device_class", "value_set": list(DEVICE_CLASSES)},
        ),
        *[
            (
                "ExpectColumnValueLengthsToEqual",
                {"column": column, "value": PSEUDONYM_HEX_CHARS, "mostly": 1.0},
            )
            for column in ("user_pseudonym", "anonymous_pseudonym", "device_pseudonym")
        ],
        ("ExpectColumnValueLengthsToEqual", {"column": "ip_token", "value": TOKEN_HEX_CHARS}),
        ("ExpectColumnValuesToMatchRegex", {"column": "ip_network", "regex": r"/(?:24|48)$"}),
        ("ExpectColumnValuesToBeBetween", {"column": "geo_lat", "min_value": -90, "max_value": 90}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "geo_lon", "min_value": -180, "max_value": 180},
        ),
    ]
    if feed == "events":
        rules += [
            (
                "ExpectColumnValuesToBeInSet",
                {"column": "event_type", "value_set": list(EVENT_TYPES)},
            ),
            ("ExpectColumnValuesToBeBetween", {"column": "amount_kzt", "min_value": 0}),
        ]
    else:
        rules += [("ExpectColumnValuesToBeBetween", {"column": "results_count", "min_value": 0})]
    return rules


def validate_frame(feed: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Failed expectations of `feed`'s suite on `frame`, by name; empty when all pass."""
    return failed_expectations(f"ingested_{feed}", _suite(feed), frame)
