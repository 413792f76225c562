"""Each model behind the common interface: what "recommended for you" and "similar" get."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommender.interactions import check_interactions
from recommender.matrix import InteractionMatrix, build_interaction_matrix
from recommender.models import MODELS, make_model, top_n
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


def _top_n_reference(row: np.ndarray, n: int, floor: float = -np.inf) -> list[tuple[int, float]]:
    """Best first, equal scores by column, `floor` or less never, padded with (-1, -inf)."""
    ranked = sorted((-score, column) for column, score in enumerate(row) if score > floor)
    picks = [(column, -negative) for negative, column in ranked[:n]]
    return picks + [(-1, -np.inf)] * (min(n, len(row)) - len(picks))


@pytest.mark.parametrize("seed", range(20))
def test_top_n_matches_a_plain_sort_with_ties_and_empty_places(seed) -> None:
    rng = np.random.default_rng(seed)
    rows, columns = rng.integers(1, 8), rng.integers(1, 30)
    scores = rng.integers(0, 4, size=(rows, columns)).astype(np.float64)  # many ties
    scores[rng.random(scores.shape) < 0.4] = -np.inf  # no candidate
    for n in (1, 3, columns, columns + 5):
        ids, best = top_n(scores, n)
        got = [
            list(zip(i.tolist(), s.tolist(), strict=True)) for i, s in zip(ids, best, strict=True)
        ]
        assert got == [_top_n_reference(row, n) for row in scores]


def test_top_n_cuts_a_tie_by_column_beside_rows_with_no_candidate() -> None:
    scores = np.array([[-np.inf] * 3, [1.0, 1.0, 1.0], [-np.inf] * 3])
    ids, best = top_n(scores, 2)
    assert ids.tolist() == [[-1, -1], [0, 1], [-1, -1]]
    assert best.tolist() == [[-np.inf, -np.inf], [1.0, 1.0], [-np.inf, -np.inf]]


@pytest.mark.parametrize("seed", range(20))
def test_top_n_leaves_out_scores_at_or_below_the_floor(seed) -> None:
    # Item-item scores are 0 where no neighbour reaches: no candidate, like -inf.
    rng = np.random.default_rng(seed)
    rows, columns = rng.integers(1, 8), rng.integers(1, 30)
    scores = rng.integers(-2, 4, size=(rows, columns)).astype(np.float32)  # ties at 0 too
    scores[(scores == 0) & (rng.random(scores.shape) < 0.5)] = -0.0  # equal to 0.0
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    scores[rng.random(rows) < 0.3] = -np.inf  # rows with no candidate at all
    for floor in (0.0, 1.0):
        for n in (1, 3, columns, columns + 5):
            ids, best = top_n(scores, n, floor=floor)
            got = [
                list(zip(i.tolist(), s.tolist(), strict=True))
                for i, s in zip(ids, best, strict=True)
            ]
            assert got == [_top_n_reference(row, n, floor) for row in scores]


@pytest.mark.parametrize(
    ("name", "params"),
    [("item_item", {"weighting": "bm25"}), ("item_item", {"weighting": "cosine"})]
    + [(name, {}) for name in LEARNING if name != "item_item"],
)
@pytest.mark.parametrize("exclude_seen", [True, False])
def test_scores_are_implicits_own(tastes, name, params, exclude_seen) -> None:
    # The models score blocks of users with array operations instead of implicit's own
    # recommend: the same items with the same scores, ordered alike (ties by column).
    model = make_model(name, **params)
    model.fit(tastes.matrix)
    rows = np.arange(tastes.matrix.shape[0])
    ids, scores = model.recommend(rows, 15, exclude_seen=exclude_seen)
    theirs, their_scores = model._model.recommend(
        rows, tastes.matrix, N=15, filter_already_liked_items=exclude_seen
    )
    for row in rows:
        seen = tastes.matrix[row].indices if exclude_seen else []
        kept = (theirs[row] >= 0) & ~np.isin(theirs[row], seen)
        expected = sorted(zip(-their_scores[row][kept], theirs[row][kept], strict=True))
        got = [(-s, i) for i, s in zip(ids[row], scores[row], strict=True) if i >= 0]
        np.testing.assert_allclose(
            [s for s, _ in got], [s for s, _ in expected], rtol=1e-5, atol=1e-6
        )  # float32 sums in another order
        assert [i for _, i in got] == [i for _, i in expected]


@pytest.mark.parametrize("name", LEARNING)
def test_similar_items_in_a_batch_are_implicits_one_by_one(tastes, name) -> None:
    model = make_model(name, seed=0)
    model.fit(tastes.matrix)
    items = np.arange(tastes.matrix.shape[1])
    ids, scores = model.similar_items(items, 8)
    for item in items:
        theirs, their_scores = model._model.similar_items(item, N=9, filter_items=np.array([item]))
        np.testing.assert_allclose(scores[item], their_scores[:8], rtol=1e-5)
        top = their_scores[:8]
        before, after = np.append(np.nan, top[:-1]), np.append(top[1:], their_scores[8:9])
        untied = (top != before) & (top != after)  # the order of equal scores aside
        assert (ids[item][untied] == theirs[:8][untied]).all()
