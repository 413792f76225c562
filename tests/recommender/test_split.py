"""The time-based hold-out: train on the past, test on the last days, on known users/items."""

from datetime import datetime, timedelta

import polars as pl
import pytest

from recommender.split import split_by_time

END = datetime(2026, 1, 31, 12)


def _frame(*rows: tuple[str, str, float]) -> pl.DataFrame:
    """Rows (user, item, days before END)."""
    users, items, ages = zip(*rows, strict=True)
    return pl.DataFrame(
        {
            "user_id": users,
            "item_id": items,
            "weight": [1.0] * len(rows),
            "ts": [END - timedelta(days=age) for age in ages],
        }
    )


def test_train_is_before_the_last_days_and_test_is_those_days() -> None:
    frame = _frame(("u1", "i1", 10), ("u1", "i2", 7.01), ("u1", "i2", 6.99), ("u1", "i1", 0))
    split = split_by_time(frame, holdout_days=7)
    assert split.cutoff == END - timedelta(days=7)
    assert sorted(split.train["ts"].to_list()) == [END - timedelta(days=d) for d in (10, 7.01)]
    assert sorted(split.test["ts"].to_list()) == [END - timedelta(days=d) for d in (6.99, 0)]


def test_test_keeps_only_users_and_items_seen_in_training() -> None:
    frame = _frame(
        ("u1", "i1", 20), ("u2", "i2", 20), ("u1", "i2", 1), ("u3", "i1", 1), ("u2", "i9", 1)
    )
    split = split_by_time(frame, holdout_days=7)
    assert split.test.select("user_id", "item_id").rows() == [("u1", "i2")]


def test_a_given_end_is_now_and_later_interactions_are_left_out() -> None:
    frame = _frame(("u1", "i1", 20), ("u2", "i2", 20), ("u1", "i2", 12), ("u2", "i1", 5))
    split = split_by_time(frame, holdout_days=7, end=END - timedelta(days=10))
    assert split.train.select("user_id", "item_id").rows() == [("u1", "i1"), ("u2", "i2")]
    assert split.test.select("user_id", "item_id").rows() == [("u1", "i2")]


def test_a_holdout_of_less_than_one_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_by_time(_frame(("u1", "i1", 1)), holdout_days=0)
