"""Interactions from any source reach the models in one shape, or stop naming the problem."""

from datetime import date, datetime

import pandas as pd
import polars as pl
import pytest

from almaty.errors import AlmatyError
from recommender.interactions import check_interactions


def test_integer_ids_and_dates_are_accepted_as_strings_and_datetimes() -> None:
    frame = pl.DataFrame(
        {"user_id": [7, 8], "item_id": [1, 2], "weight": [1, 3], "ts": [date(2026, 1, 5)] * 2}
    )
    checked = check_interactions(frame, "file.parquet")
    assert checked["user_id"].to_list() == ["7", "8"]
    assert checked["weight"].dtype == pl.Float64
    assert checked["ts"].to_list() == [datetime(2026, 1, 5)] * 2


def test_a_pandas_frame_is_accepted_and_extra_columns_dropped() -> None:
    frame = pd.DataFrame(
        {
            "user_id": ["u1"],
            "item_id": ["i1"],
            "weight": [2.5],
            "ts": [pd.Timestamp("2026-01-05 10:00")],
            "note": ["x"],
        }
    )
    checked = check_interactions(frame, "frame")
    assert checked.columns == ["user_id", "item_id", "weight", "ts"]
    assert checked.row(0) == ("u1", "i1", 2.5, datetime(2026, 1, 5, 10))


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("user_id", [None, "u2"], "column user_id has 1 null value"),
        ("weight", [0.0, 1.0], "weight has 1 value(s) that are not positive and finite"),
        ("weight", [float("nan"), float("inf")], "weight has 2 value(s)"),
    ],
)
def test_nulls_and_unusable_weights_are_refused(column, values, message) -> None:
    frame = pl.DataFrame(
        {"user_id": ["u1", "u2"], "item_id": ["i1", "i2"], "weight": [1.0, 1.0]}
    ).with_columns(pl.lit(datetime(2026, 1, 5)).alias("ts"), pl.Series(column, values))
    with pytest.raises(AlmatyError, match=r"^frame: ") as error:
        check_interactions(frame, "frame")
    assert message in str(error.value)
    assert error.value.exit_code == 2
