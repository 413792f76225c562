"""The models behind one small interface: fit on a users x items CSR, recommend rows.

`recommend` returns, per user row, n item columns best first and their scores; where a
model has fewer than n items to offer (a small catalog once seen items are excluded) the
rest is padded with column -1 and score -inf, so every result has the same shape.
`similar_items` does the same per item. Both take many rows at once and work through them
in blocks, so scoring every user of the export is a few array operations, not a loop:
each block's scores are one dense float32 array (implicit's models only train; the sums
they would score by are done here, in bulk) ranked by `top_n`.

The `implicit` models are built on the CPU (`AlternatingLeastSquares` and
`BayesianPersonalizedRanking` silently pick the GPU where CUDA exists), without progress
bars, on one thread, with BLAS limited to one thread while they train: BPR's parallel SGD
races, so only one thread gives the same model for the same seed, and on the small shared
machines this runs on more threads (BLAS's on top of implicit's) made ALS slower, not faster.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar

import implicit.als
import implicit.bpr
import implicit.nearest_neighbours
import numpy as np
from implicit.utils import ParameterWarning
from scipy.sparse import csr_matrix
from threadpoolctl import ThreadpoolController

# Rows are scored in blocks of at most this many dense scores (16 MB as float32).
BLOCK_CELLS = 1 << 22
# An item-item similarity of up to this many cells (64 MB as float32) is scored dense.
DENSE_SIMILARITY_CELLS = 1 << 24
_LOW = np.uint64(0xFFFFFFFF)  # the low 32 bits of top_n's sort keys


class Recommender(ABC):
    """A model: `fit` once on the training matrix, then `recommend` for any of its rows."""

    name: ClassVar[str]

    def __init__(self, seed: int = 0, **params: Any) -> None:
        self.seed = seed
        self.params = params
        self._train: csr_matrix | None = None

    def fit(self, train: csr_matrix) -> None:
        """Learn from `train` (users x items, float32); rows are the users it can serve."""
        self._train = train
        self._fit(train)

    @abstractmethod
    def _fit(self, train: csr_matrix) -> None: ...

    def recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-n item columns and scores for each user row (users x n), best first.

        `user_rows` are rows of the training matrix. `exclude_seen` leaves out the items a
        user already has there, which is what "recommended for you" shows.
        """
        user_rows = np.asarray(user_rows, dtype=np.int64)
        count = min(n, self.item_count)
        return self._in_blocks(
            user_rows, n, lambda rows: self._recommend(rows, count, exclude_seen)
        )

    @property
    def item_count(self) -> int:
        """The items of the training matrix: the catalog recommendations come from."""
        return self._fitted().shape[1]

    def _fitted(self) -> csr_matrix:
        """The training matrix; asking a model that has not been fitted is a bug."""
        if self._train is None:
            raise RuntimeError(f"{self.name}: fit the model first")
        return self._train

    @abstractmethod
    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def similar_items(self, items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per item column, the n items most like it (itself left out), best first (items x
        n), padded like recommend.

        For "people who looked at this also looked at"; not every model has a notion of it.
        """
        items = np.asarray(items, dtype=np.int64)
        count = min(n, self.item_count - 1)
        return self._in_blocks(items, n, lambda block: self._similar_items(block, count))

    def _similar_items(self, items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError(f"{self.name} has no notion of similar items")

    def _in_blocks(
        self, rows: np.ndarray, n: int, score: Callable[[np.ndarray], tuple]
    ) -> tuple[np.ndarray, np.ndarray]:
        """`score` on blocks of `rows`, padded to n columns and stacked: a block's dense
        scores (rows x items) stay within BLOCK_CELLS, whatever the catalog's size.

        On one BLAS thread, as in training: the products are small, and OpenBLAS's idle
        threads spin, taking a core from the rest of the work on a busy machine.
        """
        size = max(1, BLOCK_CELLS // max(1, self.item_count))
        with _one_blas_thread():
            blocks = [_padded(*score(rows[at : at + size]), n) for at in range(0, len(rows), size)]
        if not blocks:
            return np.empty((0, n), dtype=np.int64), np.empty((0, n), dtype=np.float32)
        return np.vstack([ids for ids, _ in blocks]), np.vstack([s for _, s in blocks])


class PopularityModel(Recommender):
    """Everyone gets the items most users interacted with: the baseline to beat."""

    name = "popularity"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)

    def _fit(self, train: csr_matrix) -> None:
        # Distinct users, not summed weights: one heavy user should not make an item popular.
        self._popularity = np.diff(train.tocsc().indptr).astype(np.float32)

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = np.repeat(self._popularity[np.newaxis, :], len(user_rows), axis=0)
        if exclude_seen:
            _leave_out_seen(scores, self._fitted()[user_rows])
        return top_n(scores, n)


class _ImplicitModel(Recommender):
    """An `implicit` model on one thread, trained with one BLAS thread and no progress bar."""

    def _fit(self, train: csr_matrix) -> None:
        # implicit checks the BLAS threads when a model is created, so create it inside too.
        with _one_blas_thread():
            self._model = self._build()
            self._model.fit(train, show_progress=False)

    @abstractmethod
    def _build(self) -> Any: ...

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        # A user's score for an item is their factors times the item's, as in implicit's
        # own recommend, whose ranking (a heap per user) is several times slower than top_n.
        scores = self._model.user_factors[user_rows] @ self._model.item_factors.T
        if exclude_seen:
            _leave_out_seen(scores, self._fitted()[user_rows])
        return top_n(scores, n)

    def _similar_items(self, items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        # The cosine of the item factors, as implicit's similar_items computes it, for a
        # block at once and ranked by top_n: implicit's own ranking costs several times more.
        factors, norms = self._model.item_factors, self._model.item_norms
        scores = factors[items] @ factors.T / norms / norms[items, np.newaxis]
        scores[np.arange(len(items)), items] = -np.inf  # never the item itself
        return top_n(scores, n)


class ItemItemModel(_ImplicitModel):
    """Items are alike when the same users take them; a user gets the items like theirs.

    `weighting` is "cosine" or "bm25" (which damps very active users and very common items).
    """

    name = "item_item"

    def __init__(self, seed: int = 0, K: int = 50, weighting: str = "bm25") -> None:
        if weighting not in ("cosine", "bm25"):
            raise ValueError(f"weighting must be cosine or bm25, got {weighting!r}")
        super().__init__(seed, K=K, weighting=weighting)
        self._scoring: np.ndarray | csr_matrix | None = None  # the similarity as scored

    def _build(self) -> Any:
        if self.params["weighting"] == "cosine":
            return implicit.nearest_neighbours.CosineRecommender(K=self.params["K"], num_threads=1)
        return implicit.nearest_neighbours.BM25Recommender(K=self.params["K"], num_threads=1)

    def _fit(self, train: csr_matrix) -> None:
        # implicit's item-item models hand a COO matrix of their own making to their own
        # nearest-neighbour search, which warns about it: nothing the caller can change.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ParameterWarning)
            super()._fit(train)
        self._scoring = None  # made from this similarity when first asked

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        # implicit scores one user at a time; the same sums (the user's weights times the
        # similarity rows of their items) for a block of users at once are much faster.
        taken = self._fitted()[user_rows]
        scores = self._times_similarity(taken)
        if exclude_seen:
            _leave_out_seen(scores, taken)
        return top_n(scores, n, floor=0)

    def _similar_items(self, items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        # An item's row of the similarity matrix holds its neighbours, itself included.
        itself = csr_matrix(
            (np.ones(len(items), dtype=np.float32), (np.arange(len(items)), items)),
            shape=(len(items), self.item_count),
        )
        scores = self._times_similarity(itself)
        scores[np.arange(len(items)), items] = -np.inf
        return top_n(scores, n, floor=0)

    def _times_similarity(self, weights: csr_matrix) -> np.ndarray:
        """`weights` (rows x items) times the similarity matrix, as dense float32 scores;
        0 where no neighbour reaches, since similarities are positive: no candidate.

        A catalog of up to a few thousand items multiplies a dense copy of the similarity:
        a sparse product of the same sums costs three times as much, mostly bookkeeping.
        The copy is made on first use, not in `fit`, so `fit` stays implicit's alone.
        """
        if self._scoring is None:
            similarity = self._model.similarity.astype(np.float32)
            dense = similarity.shape[0] ** 2 <= DENSE_SIMILARITY_CELLS
            self._scoring = similarity.toarray() if dense else similarity
        scores = weights.astype(np.float32) @ self._scoring
        return scores if isinstance(scores, np.ndarray) else scores.toarray()


class ALSModel(_ImplicitModel):
    """Implicit-feedback matrix factorization (alternating least squares); weights are
    confidences, scaled by `alpha`."""

    name = "als"

    def __init__(
        self,
        seed: int = 0,
        factors: int = 32,
        regularization: float = 1.0,
        iterations: int = 15,
        alpha: float = 1.0,
    ) -> None:
        super().__init__(
            seed,
            factors=factors,
            regularization=regularization,
            iterations=iterations,
            alpha=alpha,
        )

    def _build(self) -> Any:
        return implicit.als.AlternatingLeastSquares(
            **self.params, use_gpu=False, num_threads=1, random_state=self.seed
        )


class BPRModel(_ImplicitModel):
    """Matrix factorization trained to rank a user's items above items they did not take
    (Bayesian personalized ranking); weights only say whether there was an interaction."""

    name = "bpr"

    def __init__(
        self,
        seed: int = 0,
        factors: int = 64,
        learning_rate: float = 0.05,
        regularization: float = 0.01,
        iterations: int = 100,
    ) -> None:
        super().__init__(
            seed,
            factors=factors,
            learning_rate=learning_rate,
            regularization=regularization,
            iterations=iterations,
        )

    def _build(self) -> Any:
        return implicit.bpr.BayesianPersonalizedRanking(
            **self.params, use_gpu=False, num_threads=1, random_state=self.seed
        )


MODELS: dict[str, type[Recommender]] = {
    model.name: model for model in (PopularityModel, ItemItemModel, ALSModel, BPRModel)
}


def _one_blas_thread():
    """A context in which BLAS runs on one thread."""
    return _blas_threads().limit(limits=1, user_api="blas")


@cache
def _blas_threads() -> ThreadpoolController:
    # Finding the loaded BLAS libraries costs 2.5 ms, which threadpool_limits pays on every
    # call; made on first use, once this module's imports have loaded numpy's and scipy's.
    return ThreadpoolController()


def make_model(name: str, seed: int = 0, **params: Any) -> Recommender:
    """A model by its name in `MODELS`, with `params` over its defaults."""
    return MODELS[name](seed=seed, **params)


def top_n(scores: np.ndarray, n: int, floor: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `scores`, the n best columns and their scores (float32), best first, equal
    scores lower column first; a score of `floor` or less (-inf at least) is no candidate,
    and a row with fewer than n ends in column -1, score -inf.

    Scores are compared as float32, the precision the export keeps. The n-th best score
    per row comes from a full sort: numpy sorts floats with SIMD, ten times faster than it
    partitions rows full of equal scores (item-item's zeros) and about as fast otherwise;
    then only the n chosen are ordered.
    """
    scores = np.asarray(scores, dtype=np.float32)
    rows, width = scores.shape
    n = min(n, width)
    if n == 0 or rows == 0:
        return np.full((rows, n), -1, dtype=np.int64), np.full((rows, n), -np.inf, np.float32)
    nth = np.sort(scores, axis=1)[:, width - n]
    least = np.maximum(nth, np.nextafter(np.float32(floor), np.float32(np.inf)))
    # Row by row, columns in order (a flat search is twice as fast as a 2-d one).
    flat = np.flatnonzero(scores >= least[:, np.newaxis])
    row, column = np.divmod(flat, width)
    picked = scores.ravel()[flat]
    counts = np.bincount(row, minlength=rows)
    if (counts > n).any():  # a tie at the n-th best: the lower columns of it
        tied = picked == nth[row]
        tied_before = np.cumsum(tied) - tied  # ties earlier in the arrays
        first = np.repeat(np.cumsum(counts) - counts, counts)  # the start of each one's row
        room = n - (counts - np.bincount(row, weights=tied, minlength=rows).astype(np.int64))
        keep = ~tied | (tied_before - tied_before[first] < room[row])
        row, column, picked = row[keep], column[keep], picked[keep]
        counts = np.bincount(row, minlength=rows)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    return _best_first(row, slot, column, picked, (rows, n))


def _best_first(
    row: np.ndarray, slot: np.ndarray, column: np.ndarray, score: np.ndarray, shape: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Columns and their float32 scores laid out at (row, slot), then each row ordered best
    first, equal scores lower column first, empty places (column -1, score -inf) last.

    One SIMD sort of 64-bit keys: the score's bits made to order as unsigned numbers (as
    the floats do), then the column reversed, so a greater key is a better place.
    """
    bits = (score + np.float32(0)).view(np.uint32)  # + 0 makes -0.0 the 0.0 it equals
    ordered = np.where(bits >> 31, ~bits, bits | np.uint32(1 << 31)).astype(np.uint64)
    keys = np.zeros(shape, dtype=np.uint64)  # 0: an empty place, below every key
    keys[row, slot] = (ordered << np.uint64(32)) | (_LOW - column.astype(np.uint64))
    keys = np.sort(keys, axis=1)[:, ::-1]
    empty = keys == 0
    ids = np.where(empty, -1, (_LOW - (keys & _LOW)).astype(np.int64))
    ordered = (keys >> np.uint64(32)).astype(np.uint32)
    bits = np.where(ordered >> 31, ordered & np.uint32(_LOW >> 1), ~ordered)
    return ids, np.where(empty, np.float32(-np.inf), bits.view(np.float32))


def _leave_out_seen(scores: np.ndarray, taken: csr_matrix) -> None:
    """No score for the items each row's user already has (`taken`: those users' rows)."""
    scores[np.repeat(np.arange(taken.shape[0]), np.diff(taken.indptr)), taken.indices] = -np.inf


def _padded(ids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n columns per row: top_n gives no more than the catalog holds (less one item for
    similar items); the places past that are column -1, score -inf."""
    missing = n - ids.shape[1]
    if missing > 0:
        ids = np.pad(ids, ((0, 0), (0, missing)), constant_values=-1)
        scores = np.pad(scores, ((0, 0), (0, missing)), constant_values=-np.inf)
    return ids, scores
