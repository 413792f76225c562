"""The models behind one small interface: fit on a users x items CSR, recommend rows.

`recommend` returns, per user row, n item columns best first and their scores; where a
model has fewer than n items to offer (a small catalog once seen items are excluded) the
rest is padded with column -1 and score -inf, so every result has the same shape.

The `implicit` models are built on the CPU (`AlternatingLeastSquares` and
`BayesianPersonalizedRanking` silently pick the GPU where CUDA exists), without progress
bars, on one thread, with BLAS limited to one thread while they train: BPR's parallel SGD
races, so only one thread gives the same model for the same seed, and on the small shared
machines this runs on more threads (BLAS's on top of implicit's) made ALS slower, not faster.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import implicit.als
import implicit.bpr
import implicit.nearest_neighbours
import numpy as np
from implicit.utils import ParameterWarning
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits


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
        ids, scores = self._recommend(user_rows, min(n, self.item_count), exclude_seen)
        return _padded(ids, scores, n)

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

    def similar_items(self, item: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The n items most like `item` (itself left out), best first, padded like recommend.

        For "people who looked at this also looked at"; not every model has a notion of it.
        """
        raise NotImplementedError(f"{self.name} has no notion of similar items")


class PopularityModel(Recommender):
    """Everyone gets the items most users interacted with: the baseline to beat."""

    name = "popularity"

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)

    def _fit(self, train: csr_matrix) -> None:
        # Distinct users, not summed weights: one heavy user should not make an item popular.
        self._popularity = np.diff(train.tocsc().indptr).astype(np.float32)
        self._ranking = np.argsort(-self._popularity, kind="stable")

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        ids = np.full((len(user_rows), n), -1, dtype=np.int64)
        for position, row in enumerate(user_rows):
            seen = _seen_items(self._train, row) if exclude_seen else np.empty(0, dtype=np.int32)
            candidates = self._ranking[: n + len(seen)]
            chosen = candidates[~np.isin(candidates, seen)][:n]
            ids[position, : len(chosen)] = chosen
        scores = np.where(ids >= 0, self._popularity[ids], -np.inf).astype(np.float32)
        return ids, scores


class _ImplicitModel(Recommender):
    """An `implicit` model on one thread, trained with one BLAS thread and no progress bar."""

    def _fit(self, train: csr_matrix) -> None:
        # implicit checks the BLAS threads when a model is created, so create it inside too.
        with threadpool_limits(1, "blas"):
            self._model = self._build()
            self._model.fit(train, show_progress=False)

    @abstractmethod
    def _build(self) -> Any: ...

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        return self._model.recommend(
            user_rows, self._train[user_rows], N=n, filter_already_liked_items=exclude_seen
        )

    def similar_items(self, item: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = self._model.similar_items(
            item, N=min(n + 1, self.item_count), filter_items=np.array([item])
        )
        ids, scores = _padded(np.atleast_2d(ids)[:, :n], np.atleast_2d(scores)[:, :n], n)
        return ids[0], scores[0]


class ItemItemModel(_ImplicitModel):
    """Items are alike when the same users take them; a user gets the items like theirs.

    `weighting` is "cosine" or "bm25" (which damps very active users and very common items).
    """

    name = "item_item"

    def __init__(self, seed: int = 0, K: int = 50, weighting: str = "bm25") -> None:
        if weighting not in ("cosine", "bm25"):
            raise ValueError(f"weighting must be cosine or bm25, got {weighting!r}")
        super().__init__(seed, K=K, weighting=weighting)

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

    def _recommend(
        self, user_rows: np.ndarray, n: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = super()._recommend(user_rows, n, exclude_seen)
        if exclude_seen:
            # implicit's item-item scorer completes a list it has too few candidates for with
            # the user's own items (score 0): those places are empty.
            for position, row in enumerate(user_rows):
                seen = np.isin(ids[position], _seen_items(self._train, row))
                ids[position, seen] = -1
        return ids, scores


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


def make_model(name: str, seed: int = 0, **params: Any) -> Recommender:
    """A model by its name in `MODELS`, with `params` over its defaults."""
    return MODELS[name](seed=seed, **params)


def _seen_items(train: csr_matrix, row: int) -> np.ndarray:
    """The item columns of a user row in the training matrix."""
    return train.indices[train.indptr[row] : train.indptr[row + 1]]


def _padded(ids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n columns per row, empty places last; a place without an item (implicit marks them
    with -1 or the lowest float) becomes column -1 with score -inf."""
    ids = np.asarray(ids, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float32)
    empty = (ids < 0) | (scores <= np.finfo(np.float32).min)
    order = np.argsort(empty, axis=1, kind="stable")
    empty = np.take_along_axis(empty, order, axis=1)
    ids = np.where(empty, -1, np.take_along_axis(ids, order, axis=1))
    scores = np.where(empty, -np.inf, np.take_along_axis(scores, order, axis=1))
    missing = n - ids.shape[1]
    if missing > 0:
        ids = np.pad(ids, ((0, 0), (0, missing)), constant_values=-1)
        scores = np.pad(scores, ((0, 0), (0, missing)), constant_values=-np.inf)
    return ids, scores.astype(np.float32)
