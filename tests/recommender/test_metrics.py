"""The metrics against values worked out by hand, so each number means what its name says."""

import math

import numpy as np
import pytest

from recommender.metrics import (
    catalog_coverage,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
)

# User 0 finds 2 of their 3 items at ranks 2 and 4; user 1 finds their only item at rank 1
# and got two recommendations only (-1 pads the list).
RECOMMENDED = np.array([[5, 2, 8, 1], [4, 6, -1, -1]])
RELEVANT = [np.array([2, 1, 9]), np.array([4])]
DISCOUNT = [1 / math.log2(rank + 1) for rank in range(1, 5)]  # 1, 0.631, 0.5, 0.431


def test_precision_divides_by_k_not_by_the_relevant_items() -> None:
    # implicit's precision_at_k would give user 1 a perfect 1.0 (divided by min(4, 1)).
    assert precision_at_k(RECOMMENDED, RELEVANT, 4) == pytest.approx((2 / 4 + 1 / 4) / 2)


def test_recall_is_the_share_of_relevant_items_found() -> None:
    assert recall_at_k(RECOMMENDED, RELEVANT, 4) == pytest.approx((2 / 3 + 1) / 2)


def test_ndcg_discounts_by_rank_against_the_best_possible_order() -> None:
    user_0 = (DISCOUNT[1] + DISCOUNT[3]) / (DISCOUNT[0] + DISCOUNT[1] + DISCOUNT[2])
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 4) == pytest.approx((user_0 + 1) / 2)


def test_map_averages_the_precision_at_each_hit() -> None:
    user_0 = (1 / 2 + 2 / 4) / 3
    assert map_at_k(RECOMMENDED, RELEVANT, 4) == pytest.approx((user_0 + 1) / 2)


def test_only_the_top_k_counts() -> None:
    # At k=1 user 0 misses (item 5) and user 1 hits (item 4).
    assert precision_at_k(RECOMMENDED, RELEVANT, 1) == pytest.approx(0.5)
    assert recall_at_k(RECOMMENDED, RELEVANT, 1) == pytest.approx(0.5)
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 1) == pytest.approx(0.5)
    assert map_at_k(RECOMMENDED, RELEVANT, 1) == pytest.approx(0.5)


def test_a_perfect_list_scores_1_even_with_more_relevant_items_than_k() -> None:
    recommended, relevant = np.array([[3, 7]]), [np.array([7, 3, 1, 2, 9])]
    assert ndcg_at_k(recommended, relevant, 2) == pytest.approx(1.0)
    assert map_at_k(recommended, relevant, 2) == pytest.approx(1.0)
    assert precision_at_k(recommended, relevant, 2) == pytest.approx(1.0)
    assert recall_at_k(recommended, relevant, 2) == pytest.approx(2 / 5)


def test_a_list_shorter_than_k_counts_its_missing_places_as_misses() -> None:
    recommended, relevant = np.array([[3, 7]]), [np.array([3])]
    assert precision_at_k(recommended, relevant, 10) == pytest.approx(1 / 10)
    assert ndcg_at_k(recommended, relevant, 10) == pytest.approx(1.0)


def test_coverage_is_the_share_of_the_catalog_anyone_is_shown() -> None:
    assert catalog_coverage(RECOMMENDED, 4, catalog_size=10) == pytest.approx(6 / 10)
    assert catalog_coverage(RECOMMENDED, 2, catalog_size=10) == pytest.approx(4 / 10)


def test_ranking_metrics_names_each_metric_with_its_k() -> None:
    metrics = ranking_metrics(RECOMMENDED, RELEVANT, 4, catalog_size=10)
    assert metrics == {
        "precision@4": precision_at_k(RECOMMENDED, RELEVANT, 4),
        "recall@4": recall_at_k(RECOMMENDED, RELEVANT, 4),
        "ndcg@4": ndcg_at_k(RECOMMENDED, RELEVANT, 4),
        "map@4": map_at_k(RECOMMENDED, RELEVANT, 4),
        "coverage@4": 0.6,
    }


def test_a_user_without_relevant_items_is_refused_rather_than_scored() -> None:
    with pytest.raises(ValueError, match="at least one relevant item"):
        recall_at_k(RECOMMENDED, [np.array([2]), np.array([], dtype=int)], 4)
