"""Each model behind the common interface: what "recommended for you" and "similar" get."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommender.interactions import check_interactions
from recommender.matrix import InteractionMatrix, build_interaction_matrix
from recommender.models import MODELS, make_model
from recommender.synthetic import taste_interactions

LEARNING = [name for name in MODELS if name != "popularity"]


@pytest.fixture(scope="module")
def tastes() -> InteractionMatrix:
    """150 users in 5 taste groups over 60 items; item i is in group i % 5."""
    return build_interaction_matrix(
        check_interactions(taste_interactions(users=150, items=60), "generated")
    )


def _group(built: InteractionMatrix, column: int) -> int:
    return int(built.item_ids[column].removeprefix("i")) % 5


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_recommends_n_distinct_unseen_items_best_first(tastes, name) -> None:
    model = make_model(name, seed=0)
    model.fit(tastes.matrix)
    rows = np.arange(0, 150, 7)
    ids, scores = model.recommend(rows, 10)
    assert ids.shape == scores.shape == (len(rows), 10)
    train = tastes.matrix
    for row, items, row_scores in zip(rows, ids, scores, strict=True):
        seen = train.indices[train.indptr[row] : train.indptr[row + 1]]
        assert ((items >= 0) & (items < train.shape[1])).all()
        assert len(set(items)) == 10
        assert not np.isin(items, seen).any()
        assert (np.diff(row_scores) <= 0).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_a_user_with_little_left_to_discover_gets_a_padded_list(name) -> None:
    # User 0 has seen items 0-2; only item 3 (taken by user 1 with item 0) is left.
    train = csr_matrix(np.array([[1, 1, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0]], dtype=np.float32))
    model = make_model(name, seed=0)
    model.fit(train)
    ids, scores = model.recommend(np.array([0]), 5)
    assert ids.tolist() == [[3, -1, -1, -1, -1]]
    assert np.isfinite(scores[0, 0]) and (scores[0, 1:] == -np.inf).all()


def test_popularity_ranks_by_distinct_users_and_can_include_seen_items() -> None:
    # Item 2: 3 users; item 0: 2 users (one heavy); item 1: 1 user.
    train = csr_matrix(np.array([[50, 0, 1], [1, 0, 1], [0, 1, 1]], dtype=np.float32))
    model = make_model("popularity")
    model.fit(train)
    assert model.recommend(np.array([2]), 3, exclude_seen=False)[0].tolist() == [[2, 0, 1]]
    assert model.recommend(np.array([2]), 3)[0].tolist() == [[0, -1, -1]]


@pytest.mark.parametrize("name", LEARNING)
def test_similar_items_are_of_the_same_taste_and_never_the_item_itself(tastes, name) -> None:
    model = make_model(name, seed=0)
    model.fit(tastes.matrix)
    items = np.arange(tastes.matrix.shape[1])
    similar, scores = model.similar_items(items, 5)
    assert similar.shape == scores.shape == (len(items), 5)
    assert (similar >= 0).all() and (np.diff(scores, axis=1) <= 0).all()
    same_group = []
    for item, others in zip(items, similar, strict=True):
        assert item not in others
        same_group += [_group(tastes, other) == _group(tastes, item) for other in others]
    assert np.mean(same_group) > 0.8  # 0.2 by chance


def test_popularity_has_no_similar_items(tastes) -> None:
    model = make_model("popularity")
    model.fit(tastes.matrix)
    with pytest.raises(NotImplementedError, match="popularity"):
        model.similar_items(np.array([0]), 5)


@pytest.mark.parametrize("name", LEARNING)
def test_the_same_seed_gives_the_same_recommendations(tastes, name) -> None:
    rows = np.arange(150)
    results = []
    for _ in range(2):
        model = make_model(name, seed=3)
        model.fit(tastes.matrix)
        results.append(model.recommend(rows, 10))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
