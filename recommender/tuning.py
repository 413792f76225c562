"""A seeded random search over a small grid of hyper-parameters, within a time budget.

The order in which candidates are tried is fixed by the seed, and ties keep the earlier
candidate, so the same seed gives the same choice. The budget can only cut that order
short; the result says when it did, because a search cut short on a slower machine may have
stopped before the candidate a faster one would have chosen.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# What is searched, per model of `recommender.models`: few values, each a plausible choice.
SEARCH_SPACES: dict[str, dict[str, tuple[Any, ...]]] = {
    "item_item": {"K": (20, 50, 100, 200), "weighting": ("cosine", "bm25")},
    "als": {
        "factors": (8, 16, 32, 64, 128),
        "regularization": (0.01, 0.1, 1.0, 10.0),
        "iterations": (10, 15, 25),
        "alpha": (1.0, 5.0, 10.0, 40.0),
    },
    "bpr": {
        "factors": (16, 32, 64, 128),
        "learning_rate": (0.01, 0.05, 0.1),
        "regularization": (0.001, 0.01, 0.1),
        "iterations": (50, 100, 200),
    },
}


@dataclass(frozen=True)
class SearchResult:
    """The best candidate, its score, and how much of the search was done."""

    params: dict[str, Any]
    score: float
    trials: int
    budget_exhausted: bool


def random_search(
    space: Mapping[str, Sequence[Any]],
    objective: Callable[[dict[str, Any]], float],
    *,
    seed: int,
    max_trials: int,
    budget_seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> SearchResult:
    """Try up to `max_trials` grid points in a seeded random order; the highest score wins.

    At least one candidate is always tried; no new one starts once `budget_seconds` (on
    `clock`) have passed since the search began.
    """
    if max_trials < 1:
        raise ValueError(f"max_trials must be at least 1, got {max_trials}")
    names = list(space)
    grid = list(itertools.product(*(space[name] for name in names)))
    order = np.random.default_rng(seed).permutation(len(grid))[:max_trials]
    started = clock()
    best_params: dict[str, Any] = {}
    best_score = -np.inf
    trials = 0
    for position in order:
        if trials and clock() - started >= budget_seconds:
            break
        params = dict(zip(names, grid[position], strict=True))
        score = objective(params)
        trials += 1
        if score > best_score:
            best_params, best_score = params, score
    return SearchResult(best_params, float(best_score), trials, trials < len(order))
