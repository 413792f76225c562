"""Interactions `(user_id, item_id, weight, ts)`: read a Parquet file, check a frame.

Whatever the source (the warehouse's mart, a data team's file), the models see one shape:
string ids, positive float weights and datetimes, no nulls. A frame that is not so stops
with an `AlmatyError` naming the source and the column, never deep inside a model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd
import polars as pl

from almaty.errors import AlmatyError

COLUMNS: Final = ("user_id", "item_id", "weight", "ts")


def read_interactions(path: Path) -> pl.DataFrame:
    """The checked interactions of a Parquet file; a bad file is an error naming it."""
    if not path.is_file():
        raise AlmatyError(f"{path}: no such file", exit_code=2)
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise AlmatyError(f"{path}: not a readable Parquet file ({reason})", exit_code=2) from None
    return check_interactions(frame, source=str(path))


def check_interactions(frame: pl.DataFrame | pd.DataFrame, source: str) -> pl.DataFrame:
    """The four columns with their types made uniform, or an error naming `source`.

    Ids may be strings or integers (they become strings); weights any positive finite
    number (float64); `ts` a datetime or a date (a date is its midnight).
    """
    if isinstance(frame, pd.DataFrame):
        frame = pl.from_pandas(frame)

    def fail(message: str) -> AlmatyError:
        return AlmatyError(f"{source}: {message}", exit_code=2)

    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise fail(f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    schema = frame.schema
    for name in ("user_id", "item_id"):
        if not (schema[name] in (pl.String, pl.Categorical, pl.Enum) or schema[name].is_integer()):
            raise fail(f"column {name} is {schema[name]}, expected strings or integers")
    if not schema["weight"].is_numeric():
        raise fail(f"column weight is {schema['weight']}, expected numbers")
    if not isinstance(schema["ts"], pl.Datetime | pl.Date):
        raise fail(f"column ts is {schema['ts']}, expected a datetime")
    checked = frame.select(
        pl.col("user_id").cast(pl.String),
        pl.col("item_id").cast(pl.String),
        pl.col("weight").cast(pl.Float64),
        pl.col("ts").cast(pl.Datetime("us")) if schema["ts"] == pl.Date else pl.col("ts"),
    )
    if checked.is_empty():
        raise fail("no interactions")
    for name, nulls in checked.null_count().row(0, named=True).items():
        if nulls:
            raise fail(f"column {name} has {nulls:,} null value(s)")
    bad_weights = checked.filter(~(pl.col("weight").is_finite() & (pl.col("weight") > 0))).height
    if bad_weights:
        raise fail(f"column weight has {bad_weights:,} value(s) that are not positive and finite")
    return checked
