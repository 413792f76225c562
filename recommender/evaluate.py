"""Every model tuned and judged on the same time-based hold-out; the best by NDCG@k.

Tuning never sees the hold-out: each model's hyper-parameters are searched on the training
part's own last days (validation), then the model is refitted on the whole training part
and scored on the hold-out. Users are judged on items new to them, since recommendations
leave out what a user already took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from almaty.errors import AlmatyError
from recommender.matrix import InteractionMatrix, build_interaction_matrix
from recommender.metrics import ranking_metrics
from recommender.models import MODELS, Recommender, make_model
from recommender.split import TimeSplit, split_by_time
from recommender.tuning import SEARCH_SPACES, random_search


@dataclass(frozen=True)
class HeldOut:
    """The users to judge (rows of the training matrix) and, for each, the items they took
    in the hold-out that they had not taken in training (columns, at least one)."""

    user_rows: np.ndarray
    relevant: list[np.ndarray]


def held_out_items(train: InteractionMatrix, test: pl.DataFrame) -> HeldOut:
    """What each user did next that a recommendation could have suggested.

    `test` must hold only users and items of `train` (as `split_by_time` leaves it).
    """
    taken = build_interaction_matrix(test, train.user_ids, train.item_ids).matrix
    taken.data[:] = 1
    new = (taken - taken.multiply(train.matrix > 0)).tocsr()
    new.eliminate_zeros()
    new.sort_indices()
    user_rows = np.flatnonzero(np.diff(new.indptr))
    relevant = [new.indices[new.indptr[row] : new.indptr[row + 1]] for row in user_rows]
    return HeldOut(user_rows, relevant)


def score_model(model: Recommender, held_out: HeldOut, k: int) -> dict[str, float]:
    """The fitted model's ranking metrics at k on `held_out` (see `recommender.metrics`)."""
    recommended, _ = model.recommend(held_out.user_rows, k)
    return ranking_metrics(recommended, held_out.relevant, k, model.item_count)


def compare_models(
    frame: pl.DataFrame,
    *,
    holdout_days: int = 7,
    k: int = 10,
    seed: int = 0,
    end: datetime | None = None,
    max_trials: int = 10,
    tuning_seconds: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Tune, fit and score every model of `recommender.models`; a plain dict for JSON.

    `frame` holds checked interactions (`recommender.interactions`); `end` is "now" (default:
    the latest interaction). `max_trials` and `tuning_seconds` bound each model's search.
    The best model has the highest NDCG@k; a tie goes to the simpler model (earlier in
    `MODELS`, popularity first). Nothing to train on or to judge is an `AlmatyError`.
    """
    split = split_by_time(frame, holdout_days, end)
    if split.train.is_empty():
        raise AlmatyError(
            f"no interactions before the last {holdout_days} day(s) (before {split.cutoff}) "
            "to train on",
            exit_code=2,
        )
    train = build_interaction_matrix(split.train)
    held_out = held_out_items(train, split.test)
    if not len(held_out.user_rows):
        raise AlmatyError(
            f"nothing to judge: in the last {holdout_days} day(s) (from {split.cutoff}) no user "
            "seen before took an item seen before that was new to them",
            exit_code=2,
        )
    validation = _validation(split, holdout_days)
    models = {}
    for name in MODELS:
        started = time.monotonic()
        params, tuning = _tuned_params(name, validation, k, seed, max_trials, tuning_seconds)
        model = make_model(name, seed, **params)
        model.fit(train.matrix)
        scores = score_model(model, held_out, k)
        metrics = {metric: round(value, 6) for metric, value in scores.items()}
        models[name] = {"params": model.params, "tuning": tuning, "metrics": metrics}
        if progress:
            progress(
                f"{name}: ndcg@{k} {metrics[f'ndcg@{k}']:.4f} "
                f"({time.monotonic() - started:.1f} s, {tuning['trials']} setting(s) tried)"
            )
    best = max(models, key=lambda name: models[name]["metrics"][f"ndcg@{k}"])
    return {
        "best": best,
        "k": k,
        "holdout_days": holdout_days,
        "seed": seed,
        "cutoff": split.cutoff.isoformat(),
        "train": _counts(split.train),
        "test": {**_counts(split.test), "judged_users": len(held_out.user_rows)},
        "models": models,
    }


def _validation(split: TimeSplit, holdout_days: int) -> tuple[InteractionMatrix, HeldOut] | None:
    """The training part split again the same way, for tuning; None if it has no test."""
    inner = split_by_time(split.train, holdout_days, end=split.cutoff)
    if inner.train.is_empty():
        return None
    inner_train = build_interaction_matrix(inner.train)
    inner_held_out = held_out_items(inner_train, inner.test)
    return (inner_train, inner_held_out) if len(inner_held_out.user_rows) else None


def _tuned_params(
    name: str,
    validation: tuple[InteractionMatrix, HeldOut] | None,
    k: int,
    seed: int,
    max_trials: int,
    budget_seconds: float,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The searched parameters of model `name` (its defaults when it has nothing to
    search or there are no validation days) and what the search did."""
    if name not in SEARCH_SPACES or validation is None:
        return {}, {"trials": 0, "budget_exhausted": False, f"validation_ndcg@{k}": None}
    inner_train, inner_held_out = validation

    def validation_ndcg(params: dict[str, Any]) -> float:
        model = make_model(name, seed, **params)
        model.fit(inner_train.matrix)
        return score_model(model, inner_held_out, k)[f"ndcg@{k}"]

    result = random_search(
        SEARCH_SPACES[name],
        validation_ndcg,
        seed=seed,
        max_trials=max_trials,
        budget_seconds=budget_seconds,
    )
    tuning = {
        "trials": result.trials,
        "budget_exhausted": result.budget_exhausted,
        f"validation_ndcg@{k}": round(result.score, 6),
    }
    return result.params, tuning


def _counts(frame: pl.DataFrame) -> dict[str, int]:
    return {
        "users": frame["user_id"].n_unique(),
        "items": frame["item_id"].n_unique(),
        "interactions": frame.height,
    }
