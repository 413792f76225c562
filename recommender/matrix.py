"""Interactions -> a users x items CSR matrix (float32), with the ids behind rows and columns.

`implicit` and the metrics work on row and column numbers; the export needs the ids back.
Rows and columns follow the ids' sorted order, so the same interactions always give the
same matrix. Duplicate (user, item) pairs are summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class InteractionMatrix:
    """Summed weights, users x items; row r is `user_ids[r]`, column c is `item_ids[c]`.

    `rows` and `columns` place each interaction of the frame it was built from, in the
    frame's order, so that what else is counted per user or listing needs no string work.
    """

    matrix: csr_matrix
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    rows: np.ndarray = field(repr=False, compare=False)
    columns: np.ndarray = field(repr=False, compare=False)


def build_interaction_matrix(
    frame: pl.DataFrame,
    user_ids: Sequence[str] | None = None,
    item_ids: Sequence[str] | None = None,
) -> InteractionMatrix:
    """The matrix of checked interactions (see `recommender.interactions`).

    Without `user_ids`/`item_ids` the rows and columns are the frame's own ids, sorted.
    With them, the matrix is laid out on that index (a hold-out on the training index);
    an id outside it is a ValueError, since it would silently lose data.
    """
    users, rows = _positions(frame["user_id"], user_ids, "user_id")
    items, columns = _positions(frame["item_id"], item_ids, "item_id")
    # float64 while duplicates are summed, float32 (what implicit wants) afterwards.
    matrix = csr_matrix(
        (frame["weight"].to_numpy().astype(np.float64), (rows, columns)),
        shape=(len(users), len(items)),
    )
    matrix.sum_duplicates()
    return InteractionMatrix(matrix.astype(np.float32), users, items, rows, columns)


def positions_in(ids: pl.Series, index: Sequence[str]) -> np.ndarray:
    """Each id's position in `index` (distinct ids), -1 for an id not in it.

    A lookup by hashing: ranking the strings instead took half a second per half a million.
    """
    positions = ids.cast(pl.Enum(index), strict=False).to_physical().cast(pl.Int64)
    return positions.fill_null(-1).to_numpy()


def _positions(
    ids: pl.Series, index: Sequence[str] | None, name: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """The index (given, or the sorted distinct ids) and each id's position in it."""
    index = tuple(ids.unique().sort().to_list() if index is None else index)
    positions = positions_in(ids, index)
    unknown = positions < 0
    if unknown.any():
        raise ValueError(f"{name} {ids.filter(unknown)[0]!r} is not in the given index")
    return index, positions
