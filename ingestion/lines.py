"""Reading landing files as numbered raw lines, fast and without trusting their content.

Lines stay bytes until DuckDB decodes them, so a line of broken UTF-8 is quarantined with
its true line number instead of failing the whole file.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa

from almaty.errors import AlmatyError

_GZIP_WINDOW = 16 + zlib.MAX_WBITS  # zlib's code for "gzip header and trailer"


class LandingFileError(AlmatyError):
    """A landing file that cannot be read at all (for example a broken gzip stream)."""


def _decompress(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        decompressor = zlib.decompressobj(_GZIP_WINDOW)
        data = decompressor.decompress(raw) + decompressor.flush()
    except zlib.error as error:
        raise LandingFileError(f"{path}: not a readable gzip file ({error})") from None
    if not decompressor.eof:
        raise LandingFileError(f"{path}: the gzip stream is truncated")
    return data


def _line_offsets(data: bytes) -> np.ndarray:
    """Start offsets of every line plus the end; a final newline does not open a line."""
    lengths = np.fromiter(map(len, data.split(b"\n")), dtype=np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=offsets[1:])
    offsets[-1] = len(data)
    return offsets[:-1] if len(lengths) > 1 and lengths[-1] == 0 else offsets


def read_numbered_lines(path: Path, source: str) -> pa.Table:
    """One row per physical line: `source` (the file's name as recorded), `line_number`, `line`.

    A line keeps its trailing newline; JSON parsing ignores it.
    """
    data = _decompress(path)
    offsets = _line_offsets(data) if data else np.zeros(1, dtype=np.int64)
    count = len(offsets) - 1
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pa.table(
        {
            "source": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(count, dtype=np.int32)), pa.array([source])
            ),
            "line_number": pa.array(np.arange(1, count + 1, dtype=np.int64)),
            "line": lines,
        }
    )


def read_landing_files(files: Sequence[tuple[Path, str]], threads: int = 2) -> pa.Table:
    """All lines of `files` ((path, recorded name) pairs) as one table, read in parallel,
    with `row_key` numbering every line of the table.

    gzip decompression releases the GIL, so two threads use both cores of the machine.
    """
    if not files:
        return pa.table(
            {
                "source": pa.array([], pa.dictionary(pa.int32(), pa.string())),
                "line_number": pa.array([], pa.int64()),
                "line": pa.array([], pa.large_binary()),
                "row_key": pa.array([], pa.int64()),
            }
        )
    with ThreadPoolExecutor(max_workers=threads) as pool:
        tables = list(pool.map(lambda item: read_numbered_lines(*item), files))
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.append_column("row_key", pa.array(np.arange(table.num_rows, dtype=np.int64)))
