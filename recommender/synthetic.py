"""Generated interactions with stable tastes: what a good recommender must pick up.

Used by the tests and by `almaty bench recommender`.

Users belong to taste groups (ski, family, nature, ...); each group favours its own items,
with some noise towards the catalog's popular items, every day of the period alike. A
model that learns tastes beats "most popular" on such data; one that does not, does not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

END = datetime(2026, 1, 31)


def taste_interactions(
    users: int = 400,
    items: int = 200,
    groups: int = 5,
    per_user: float = 20.0,
    noise: float = 0.2,
    days: int = 30,
    seed: int = 0,
    end: datetime = END,
) -> pl.DataFrame:
    """Interactions `(user_id, item_id, weight, ts)` over the `days` days before `end`.

    Item i is in group i % groups; a user of group g picks an item of g with probability
    1 - noise (popular ones more often), else any item of the catalog by popularity.
    """
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, items + 1) ** 0.8
    item_group = np.arange(items) % groups
    user_group = rng.integers(groups, size=users)
    counts = rng.poisson(per_user, size=users) + 1
    owner = np.repeat(np.arange(users), counts)
    in_taste = rng.random(owner.size) >= noise
    picked = np.empty(owner.size, dtype=np.int64)
    for group in range(groups):
        members = np.flatnonzero(item_group == group)
        chosen = in_taste & (user_group[owner] == group)
        weights = popularity[members] / popularity[members].sum()
        picked[chosen] = rng.choice(members, size=chosen.sum(), p=weights)
    anywhere = ~in_taste
    picked[anywhere] = rng.choice(items, size=anywhere.sum(), p=popularity / popularity.sum())
    seconds = rng.uniform(0, days * 86_400, size=owner.size)
    return pl.DataFrame(
        {
            "user_id": [f"u{user:05d}" for user in owner],
            "item_id": [f"i{item:04d}" for item in picked],
            "weight": rng.choice([1.0, 2.0, 5.0], size=owner.size, p=[0.7, 0.2, 0.1]),
            "ts": [end - timedelta(seconds=float(s)) for s in seconds],
        }
    )
