"""Interactions -> a users x items CSR matrix (float32), with the ids behind rows and columns.

`implicit` and the metrics work on row and column numbers; the export needs the ids back.
Rows and columns follow the ids' sorted order, so the same interactions always give the
same matrix. Duplicate (user, item) pairs are summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class InteractionMatrix:
    """Summed weights, users x items; row r is `user_ids[r]`, column c is `item_ids[c]`."""

    matrix: csr_matrix
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]


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
    return InteractionMatrix(matrix.astype(np.float32), users, items)


def _positions(
    ids: pl.Series, index: Sequence[str] | None, name: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """The index (given, or the sorted distinct ids) and each id's position in it."""
    if index is None:
        distinct = tuple(ids.unique().sort().to_list())
        return distinct, (ids.rank("dense") - 1).to_numpy().astype(np.int64)
    index = tuple(index)
    unknown = ids.filter(~ids.is_in(index))
    if len(unknown):
        raise ValueError(f"{name} {unknown[0]!r} is not in the given index")
    positions = ids.replace_strict(index, range(len(index)), return_dtype=pl.Int64)
    return index, positions.to_numpy()
