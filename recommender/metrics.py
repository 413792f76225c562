"""Ranking metrics at k, textbook definitions, averaged over users (pure numpy).

`recommended` is a users x n array of item numbers, best first, padded with -1 where a
model had fewer than n items to offer; `relevant` holds, per user (same order), the items
the user did interact with in the hold-out, at least one each. A list shorter than k counts
its missing places as misses.

`implicit.evaluation.precision_at_k` divides by min(k, relevant) rather than k, which is
not precision; these are computed here so each number means what its name says.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def precision_at_k(recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int) -> float:
    """Share of the top k places that hold a relevant item (hits / k)."""
    return float(np.mean(_hits(recommended, relevant, k).sum(axis=1) / k))


def recall_at_k(recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int) -> float:
    """Share of a user's relevant items found in the top k (hits / relevant)."""
    hits = _hits(recommended, relevant, k)
    return float(np.mean(hits.sum(axis=1) / _relevant_counts(relevant)))


def ndcg_at_k(recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int) -> float:
    """DCG of the top k (a hit at rank i earns 1/log2(i+1)) over the best possible DCG."""
    hits = _hits(recommended, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts[: hits.shape[1]]
    ideal = np.cumsum(discounts)[np.minimum(_relevant_counts(relevant), k) - 1]
    return float(np.mean(dcg / ideal))


def map_at_k(recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int) -> float:
    """Mean average precision: precision at each hit's rank, summed, over min(k, relevant).

    Dividing by min(k, relevant) (not by relevant) lets a perfect top k score 1 for a user
    with more than k relevant items.
    """
    hits = _hits(recommended, relevant, k)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, hits.shape[1] + 1)
    average = (precision_at_rank * hits).sum(axis=1) / np.minimum(_relevant_counts(relevant), k)
    return float(np.mean(average))


def catalog_coverage(recommended: np.ndarray, k: int, catalog_size: int) -> float:
    """Share of the catalog that appears in anyone's top k: does a model show only hits?"""
    top = np.asarray(recommended)[:, :k]
    return float(np.unique(top[top >= 0]).size / catalog_size)


def ranking_metrics(
    recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int, catalog_size: int
) -> dict[str, float]:
    """All five metrics, named `precision@k`, `recall@k`, `ndcg@k`, `map@k`, `coverage@k`."""
    return {
        f"precision@{k}": precision_at_k(recommended, relevant, k),
        f"recall@{k}": recall_at_k(recommended, relevant, k),
        f"ndcg@{k}": ndcg_at_k(recommended, relevant, k),
        f"map@{k}": map_at_k(recommended, relevant, k),
        f"coverage@{k}": catalog_coverage(recommended, k, catalog_size),
    }


def _hits(recommended: np.ndarray, relevant: Sequence[np.ndarray], k: int) -> np.ndarray:
    """users x min(n, k) booleans: is the item at that place relevant to that user?"""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    top = np.asarray(recommended)[:, :k]
    if len(top) != len(relevant) or len(top) == 0:
        raise ValueError(f"{len(top)} recommendation lists for {len(relevant)} users")
    return np.array([np.isin(row, items) for row, items in zip(top, relevant, strict=True)])


def _relevant_counts(relevant: Sequence[np.ndarray]) -> np.ndarray:
    counts = np.array([len(items) for items in relevant])
    if (counts == 0).any():
        raise ValueError("every user needs at least one relevant item")
    return counts
