"""The search: the same seed tries the same candidates and picks the same one; the budget
stops it and says so."""

from itertools import count

import pytest

from recommender.tuning import random_search

SPACE = {"factors": (8, 16, 32, 64), "alpha": (1.0, 10.0, 40.0)}


def _search(seed: int, **options):
    tried = []

    def objective(params):
        tried.append(params)
        return -abs(params["factors"] - 20) - params["alpha"] / 100  # best: 16 and 1.0

    options = {"max_trials": 12, "budget_seconds": 60.0, **options}
    return random_search(SPACE, objective, seed=seed, **options), tried


def test_the_same_seed_tries_the_same_candidates_and_picks_the_same() -> None:
    (first, first_tried), (second, second_tried) = _search(seed=5), _search(seed=5)
    assert first == second
    assert first_tried == second_tried
    assert first.params == {"factors": 16, "alpha": 1.0}  # all 12 tried: the true best
    assert not first.budget_exhausted


def test_another_seed_tries_another_order() -> None:
    (_, tried_5), (_, tried_6) = _search(seed=5, max_trials=4), _search(seed=6, max_trials=4)
    assert tried_5 != tried_6
    assert len(tried_5) == 4 and len({tuple(p.items()) for p in tried_5}) == 4


def test_the_budget_stops_the_search_and_says_so() -> None:
    ticks = count(0, 10)  # every look at the clock, 10 s have passed
    result, tried = _search(seed=5, budget_seconds=25, clock=lambda: next(ticks))
    assert result.trials == len(tried) == 3  # started at 0, then 10, 20: not at 30
    assert result.budget_exhausted
    assert result.params in tried


def test_a_spent_budget_still_tries_one_candidate() -> None:
    result, tried = _search(seed=5, budget_seconds=0)
    assert result.trials == len(tried) == 1
    assert result.params == tried[0]


def test_equal_scores_keep_the_first_candidate_tried() -> None:
    tried = []
    result = random_search(
        SPACE,
        lambda params: tried.append(params) or 1.0,
        seed=1,
        max_trials=5,
        budget_seconds=60,
    )
    assert result.params == tried[0] and result.score == 1.0


def test_at_least_one_trial_is_required() -> None:
    with pytest.raises(ValueError, match="max_trials"):
        _search(seed=1, max_trials=0)
