"""The plain functions behind the pages, called directly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from almaty.errors import AlmatyError
from dashboards import figures


def test_the_default_range_is_the_last_four_weeks_with_data() -> None:
    assert figures.default_range(date(2025, 1, 1), date(2025, 3, 31)) == (
        date(2025, 3, 4),
        date(2025, 3, 31),
    )
    assert figures.default_range(date(2025, 3, 20), date(2025, 3, 31)) == (
        date(2025, 3, 20),
        date(2025, 3, 31),
    )


def test_the_previous_period_has_the_same_length_just_before() -> None:
    assert figures.previous_period(date(2025, 3, 1), date(2025, 3, 31)) == (
        date(2025, 1, 29),
        date(2025, 2, 28),
    )
    assert figures.previous_period(date(2025, 3, 1), date(2025, 3, 1)) == (
        date(2025, 2, 28),
        date(2025, 2, 28),
    )


def test_change_against_nothing_is_not_a_number() -> None:
    assert figures.change(150, 100) == "+50.0%"
    assert figures.change(50, 100) == "-50.0%"
    assert figures.change(5, 0) is None


def test_small_counts_show_as_suppressed_and_folded_groups_are_named() -> None:
    frame = pd.DataFrame({"group": ["a", "other"], "people": [9, 10], "events": [3, 4]})
    suppressed = figures.suppress_small(frame, ["people"], 10)
    assert suppressed["people"].isna().tolist() == [True, False]
    shown = figures.for_display(suppressed, suppressed=["people"], folded=["group"])
    assert shown["people"].tolist() == ["suppressed", "10"]
    assert shown["group"].tolist() == ["a", figures.FOLDED_LABEL]
    assert shown["events"].tolist() == [3, 4]  # only people are counted against the threshold
    assert frame["people"].tolist() == [9, 10]  # the input is left alone


def _listings(rows: list[tuple]) -> pd.DataFrame:
    columns = ["listing_id", "views", "requests", "bookings", "revenue_kzt"]
    return pd.DataFrame(rows, columns=columns)


def test_best_listings_earned_most_and_worst_convert_worst_among_those_seen_enough() -> None:
    frame = _listings(
        [
            ("L1", 100, 10, 5, 500.0),
            ("L2", 100, 2, 1, 900.0),
            ("L3", 30, 0, 0, 0.0),
            ("L4", 5, 0, 0, 0.0),  # too few views to call it the worst
            ("other", 1000, 50, 40, 9000.0),  # folded listings are no listing
        ]
    )
    best, worst = figures.best_and_worst(frame, n=2, min_views=20)
    assert best["listing_id"].tolist() == ["L2", "L1"]
    assert worst["listing_id"].tolist() == ["L3", "L2"]
    assert worst["bookings_per_view"].tolist() == [0.0, 0.01]


def test_promotion_is_compared_per_listing_day() -> None:
    frame = pd.DataFrame(
        {
            "is_promoted": [True, False],
            "listing_days": [10, 100],
            "views": [200, 1000],
            "requests": [20, 50],
            "bookings": [10, 20],
            "revenue_kzt": [1000.0, 4000.0],
        }
    )
    effect = figures.promotion_effect(frame).set_index("promotion")
    assert effect.loc["promoted", "views_per_listing_day"] == 20
    assert effect.loc["not promoted", "views_per_listing_day"] == 10
    assert effect.loc["promoted", "bookings_per_view"] == 0.05
    assert effect.loc["not promoted", "revenue_per_listing_day"] == 40


def test_the_funnel_runs_from_view_to_booking() -> None:
    totals = pd.Series({"views": 200, "favorites": 50, "requests": 20, "bookings": 5})
    funnel = figures.funnel_steps(totals)
    assert funnel["actions"].tolist() == [200, 50, 20, 5]
    assert funnel["share_of_views"].tolist() == [1.0, 0.25, 0.1, 0.025]


def test_rates_over_several_rows_are_weighted_by_their_counts() -> None:
    frame = pd.DataFrame({"rate": [0.5, 0.0], "searches": [10, 30]})
    assert figures.weighted_rate(frame, "rate", "searches") == 0.125
    assert figures.weighted_rate(frame.iloc[0:0], "rate", "searches") is None


def test_zero_result_queries_most_often_empty_first() -> None:
    queries = pd.DataFrame(
        {
            "query": ["a", "b", "c"],
            "zero_result_searches": [0, 3, 7],
            "zero_result_rate": [0.0, 0.3, 0.7],
        }
    )
    assert figures.zero_result_queries(queries)["query"].tolist() == ["c", "b"]


MANIFEST = {
    "version": "20260114T053000Z",
    "created_at": "2026-01-14T05:30:00+00:00",
    "model": "item_item",
    "parameters": {},
    "metrics": {
        "chosen_on": "2026-01-14",
        "models": {
            "popularity": {"ndcg@10": 0.1, "coverage@10": 0.05},
            "item_item": {"ndcg@10": 0.15, "coverage@10": 0.4},
        },
    },
    "training_window": {"first": "2025-12-01", "last": "2026-01-13"},
    "row_counts": {"users": 40, "similar": 10, "popular": 5},
}


def test_model_metrics_compare_each_model_with_popularity() -> None:
    metrics = figures.model_metrics(MANIFEST).set_index("model")
    assert metrics.loc["item_item", "ndcg@10 vs popularity"] == pytest.approx(1.5)
    assert metrics.loc["popularity", "ndcg@10 vs popularity"] == 1
    assert metrics["in use"].to_dict() == {"item_item": True, "popularity": False}
    not_compared = {**MANIFEST, "metrics": {"not_evaluated": "too little history"}}
    assert figures.model_metrics(not_compared).empty


def test_freshness_is_the_export_age_and_its_last_day_learnt_from() -> None:
    fresh = figures.freshness(MANIFEST, datetime(2026, 1, 14, 11, 30, tzinfo=UTC))
    assert fresh["age_hours"] == 6
    assert fresh["trained_until"] == date(2026, 1, 13)


def test_the_latest_export_and_every_version_kept(tmp_path: Path) -> None:
    assert figures.latest_export(tmp_path) is None
    root = tmp_path / "recommendations"
    for version, model in (("20260113T053000Z", "popularity"), ("20260114T053000Z", "item_item")):
        (root / version).mkdir(parents=True)
        manifest = {**MANIFEST, "version": version, "model": model}
        (root / version / "manifest.json").write_text(json.dumps(manifest))
    (root / "latest").write_text("20260114T053000Z\n")
    latest = figures.latest_export(tmp_path)
    assert latest.version == "20260114T053000Z" and latest.manifest["model"] == "item_item"
    (root / "latest").write_text("20260115T053000Z\n")  # a version that is not there
    with pytest.raises(AlmatyError, match="20260115T053000Z"):
        figures.latest_export(tmp_path)
    history = figures.export_history(tmp_path)
    assert history["version"].tolist() == ["20260114T053000Z", "20260113T053000Z"]
    assert history["ndcg@10"].tolist() == [0.15, 0.1]
