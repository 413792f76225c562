"""The time-based hold-out: learn from the past, be judged on the last days.

A random split would let a model learn from a user's later visits to predict earlier ones;
recommendations are always made from the past, so the test set is the most recent days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl


@dataclass(frozen=True)
class TimeSplit:
    """Interactions before `cutoff` (train) and from `cutoff` to the end (test)."""

    train: pl.DataFrame
    test: pl.DataFrame
    cutoff: datetime


def split_by_time(frame: pl.DataFrame, holdout_days: int, end: datetime | None = None) -> TimeSplit:
    """Train on interactions before the last `holdout_days` days, test on those days.

    `end` is "now" (default: the latest interaction, so a file's hold-out is its own last
    days); interactions after it are left out. The test part keeps only users and items seen
    in training: no model can recommend an item or know a user it has never seen.
    """
    if holdout_days < 1:
        raise ValueError(f"holdout_days must be at least 1, got {holdout_days}")
    end = frame["ts"].max() if end is None else end
    cutoff = end - timedelta(days=holdout_days)
    train = frame.filter(pl.col("ts") < cutoff)
    test = (
        frame.filter(pl.col("ts").is_between(cutoff, end, closed="both"))
        .join(train.select("user_id").unique(), on="user_id", how="semi")
        .join(train.select("item_id").unique(), on="item_id", how="semi")
    )
    return TimeSplit(train, test, cutoff)
