"""The users x items matrix: summed duplicates, float32, ids in a stable order."""

from datetime import datetime

import numpy as np
import polars as pl
import pytest

from recommender.matrix import build_interaction_matrix

TS = datetime(2026, 1, 5)


def _frame(*rows: tuple[str, str, float]) -> pl.DataFrame:
    users, items, weights = zip(*rows, strict=True)
    return pl.DataFrame(
        {"user_id": users, "item_id": items, "weight": weights, "ts": [TS] * len(rows)}
    )


def test_rows_and_columns_are_the_sorted_ids_and_duplicates_are_summed() -> None:
    built = build_interaction_matrix(_frame(("b", "x", 1.0), ("a", "y", 2.0), ("b", "x", 3.5)))
    assert built.user_ids == ("a", "b")
    assert built.item_ids == ("x", "y")
    assert built.matrix.format == "csr"
    assert built.matrix.dtype == np.float32
    assert built.matrix.toarray().tolist() == [[0.0, 2.0], [4.5, 0.0]]
    assert built.matrix.nnz == 2  # one stored entry per pair, as implicit expects


def test_the_same_interactions_in_another_order_give_the_same_matrix() -> None:
    rows = [("u2", "i1", 1.0), ("u1", "i3", 2.0), ("u3", "i2", 1.0), ("u1", "i1", 5.0)]
    first = build_interaction_matrix(_frame(*rows))
    second = build_interaction_matrix(_frame(*reversed(rows)))
    assert first.user_ids == second.user_ids and first.item_ids == second.item_ids
    assert (first.matrix != second.matrix).nnz == 0


def test_a_given_index_lays_the_matrix_out_on_it() -> None:
    built = build_interaction_matrix(
        _frame(("b", "y", 1.0)), user_ids=["a", "b", "c"], item_ids=["x", "y"]
    )
    assert built.matrix.shape == (3, 2)
    assert built.matrix.toarray().tolist() == [[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]]


def test_an_id_outside_the_given_index_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(ValueError, match="item_id 'z' is not in the given index"):
        build_interaction_matrix(_frame(("a", "z", 1.0)), user_ids=["a"], item_ids=["x"])
