"""Column-wise JSON: millions of JSON lines from numpy arrays, without a per-row Python loop.

Every value is turned into its JSON text (a "fragment") once: vocabulary strings through
orjson when the vocabulary is built, ids and numbers by construction (they need no
escaping). Lines are then concatenated column by column with polars, which is what makes
the generator fast enough for a million events a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import orjson
import polars as pl
import pyarrow as pa

from landing.clock import offset_ms

NULL = "null"
_CHUNKS = 4  # row chunks of large columns, evaluated in parallel
_PARALLEL_ROWS = 100_000
_OFFSET_SUFFIXES = pl.Series(['Z"', '+05:00"', '+06:00"'])


def fragments(values: Iterable[str | int | float | bool | None]) -> pl.Series:
    """The JSON text of each value; meant for vocabularies, encoded once per run."""
    return pl.Series([orjson.dumps(value).decode() for value in values], dtype=pl.String)


def quoted(values: pl.Series) -> pl.Series:
    """JSON strings of values that need no escaping (ids, addresses, timestamps); nulls stay."""
    return pl.select(pl.concat_str([pl.lit('"'), pl.lit(values), pl.lit('"')])).to_series()


def ascii_strings(chars: np.ndarray) -> pl.Series:
    """Strings from the rows of an (n, width) array of ASCII codes, as one buffer."""
    count, width = chars.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    array = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.Series(array)


def _hex_table(digits: bytes) -> np.ndarray:
    """The four hex digits of every 16-bit value, packed in a uint32 (one lookup per value)."""
    values = np.arange(1 << 16)
    shifts = np.array([12, 8, 4, 0])
    table = np.frombuffer(digits, dtype=np.uint8)[(values[:, None] >> shifts) & 15]
    return np.ascontiguousarray(table, dtype=np.uint8).view(np.uint32).ravel()


_HEX = {False: _hex_table(b"0123456789abcdef"), True: _hex_table(b"0123456789ABCDEF")}
_UUID_GROUPS = ((0, 8, 0), (9, 13, 8), (14, 18, 12), (19, 23, 16), (24, 36, 20))


def uuid4_strings(rng: np.random.Generator, count: int, *, upper: bool = False) -> pl.Series:
    """Random version-4 UUIDs, lower case (cookies, Android GAID) or upper case (iOS IDFA)."""
    words = np.frombuffer(rng.bytes(16 * count), dtype=">u2").reshape(count, 8)
    hexes = _HEX[upper][words].view(np.uint8).reshape(count, 32)
    digits = np.frombuffer(b"0123456789ABCDEF" if upper else b"0123456789abcdef", np.uint8)
    hexes[:, 12] = ord("4")  # version
    hexes[:, 16] = digits[8 + (words[:, 4] >> 12) % 4]  # variant 10xx
    chars = np.empty((count, 36), dtype=np.uint8)
    chars[:, [8, 13, 18, 23]] = ord("-")
    for begin, end, source in _UUID_GROUPS:
        chars[:, begin:end] = hexes[:, source : source + end - begin]
    return ascii_strings(chars)


def timestamps(
    utc_ms: np.ndarray, *, utc: np.ndarray | bool = False, millis: bool = True
) -> pl.Series:
    """Quoted RFC 3339 timestamps in Almaty local time with its offset, or in UTC with Z."""
    utc_ms = np.asarray(utc_ms, dtype=np.int64)
    in_utc = np.broadcast_to(np.asarray(utc, dtype=bool), utc_ms.shape)
    offsets = np.where(in_utc, 0, offset_ms(utc_ms))
    text = (
        pl.col("local")
        .cast(pl.Datetime("ms"))
        .dt.to_string("%Y-%m-%dT%H:%M:%S%.3f" if millis else "%Y-%m-%dT%H:%M:%S")
    )
    suffix = pl.lit(_OFFSET_SUFFIXES).gather(pl.col("suffix"))
    suffix_code = np.where(in_utc, 0, np.where(offsets == 5 * 3_600_000, 1, 2))
    return evaluate(
        pl.concat_str([pl.lit('"'), text, suffix]),
        {"local": utc_ms + offsets, "suffix": suffix_code},
    )


def integers(values: np.ndarray, present: np.ndarray | None = None) -> pl.Series:
    """JSON integers; null where `present` is False."""
    series = pl.Series(np.asarray(values, dtype=np.int64)).cast(pl.String)
    if present is None:
        return series
    return pl.select(pl.when(pl.lit(present)).then(pl.lit(series))).to_series()


def decimals(values: np.ndarray, places: int) -> pl.Series:
    """JSON numbers rounded to `places` decimals (coordinates)."""
    return pl.Series(np.round(np.asarray(values, dtype=np.float64), places)).cast(pl.String)


def gather(vocabulary: pl.Series, index: np.ndarray) -> pl.Series:
    """`vocabulary[index]`, null where index is negative."""
    index = np.asarray(index, dtype=np.int64)
    picked = vocabulary.gather(np.maximum(index, 0))
    if (index >= 0).all():
        return picked
    return pl.select(pl.when(pl.lit(index >= 0)).then(pl.lit(picked))).to_series()


def json_array(vocabulary: pl.Series, index: np.ndarray) -> pl.Series:
    """JSON arrays of vocabulary fragments, one per row of `index` (-1 pads short rows)."""
    columns = [gather(vocabulary, index[:, column]) for column in range(index.shape[1])]
    joined = pl.concat_str([pl.lit(c) for c in columns], separator=",", ignore_nulls=True)
    return pl.select(pl.concat_str([pl.lit("["), joined.fill_null(""), pl.lit("]")])).to_series()


Field = tuple[str | None, pl.Series]


def json_objects(fields: Sequence[Field], *, optional: Iterable[str] = ()) -> pl.Series:
    """One JSON object per row from fragment columns, keys in the order given.

    A null fragment is written as `null`, or leaves its key out when the key is in
    `optional`. A field whose key is None is a run of `"key":value` pairs built earlier
    (a session's common fields, say) and is inserted as it is.
    """
    optional = set(optional)
    if not fields or fields[0][0] in optional or fields[0][0] is None:
        raise ValueError("the first field must be a required key")
    parts: list[pl.Expr] = []
    literal = "{"
    for position, (key, _) in enumerate(fields):
        separator = "," if position else ""
        column = pl.col(f"f{position}")
        if key is None:
            parts += [pl.lit(literal + separator), column]
            literal = ""
        elif key in optional:
            piece = pl.concat_str([pl.lit(f'{separator}"{key}":'), column])
            parts += [pl.lit(literal), piece.fill_null("")]
            literal = ""
        else:
            parts += [pl.lit(f'{literal}{separator}"{key}":'), column.fill_null(NULL)]
            literal = ""
    parts.append(pl.lit(literal + "}"))
    return evaluate(pl.concat_str(parts), {f"f{i}": values for i, (_, values) in enumerate(fields)})


def evaluate(expression: pl.Expr, columns: dict[str, pl.Series | np.ndarray]) -> pl.Series:
    """`expression` over `columns`, row-parallel: polars evaluates each chunk on its own thread.

    The result keeps those chunks; rechunk it before gathering from it at random.
    """
    frame = pl.DataFrame(columns)
    rows = len(frame)
    if rows >= _PARALLEL_ROWS:
        step = -(-rows // _CHUNKS)
        frame = pl.concat([frame.slice(i, step) for i in range(0, rows, step)], rechunk=False)
    return frame.select(expression).to_series()
