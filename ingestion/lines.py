"""Reading landing files as numbered lines of text, fast and without trusting their content.

A file is decompressed whole and its lines become one Arrow string array over the file's own
bytes: no Python object per line. A file that is not valid UTF-8 (rare) is decoded line by
line instead, its undecodable lines NULL, so they are quarantined with their true line numbers
instead of failing the whole file. A UTF-8 byte-order mark at the very start of a file is
not part of its first line.

File names are chosen by the website, so one could hold anything, an e-mail address included.
A name is recorded (in the quarantine, in `landing_files`, in an error) only if it has the
expected form (`EXPECTED_NAME`); any other file is recorded as its folder and its position
there (`events/date=2026-01-10/#3`), which is enough to find it (`recorded_name`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
from isal import isal_zlib

from almaty.errors import AlmatyError
from landing.contract import FILE_SUFFIXES

_NEWLINE = ord("\n")
_BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark
_GZIP_WBITS = 16 + 15  # a gzip header and trailer around deflate with a 32 KiB window
_BATCH_ROWS = 65_536


class LandingFileError(AlmatyError):
    """A landing file that cannot be read at all (for example a broken gzip stream)."""


_WORD = r"[a-z][a-z_]{0,39}"
_DATE = r"20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_SUFFIX = "|".join(re.escape(suffix) for suffix in FILE_SUFFIXES)
# The form of a landing file's name that may be recorded and printed: lowercase words
# (letters, underscores) separated by "-", then optionally a date, more words and a counter
# of at most four digits, then one of the contract's suffixes: `events-web-000.jsonl.gz`,
# `listings-2025-12-15.jsonl`, `part-001.jsonl`. Nothing else: no "@", "+", "." or capital,
# no digit within a word, no other number than the date and the counter, so no e-mail
# address fits, nor a phone, IIN, card or account number as people write them.
EXPECTED_NAME = re.compile(
    rf"{_WORD}(?:-{_WORD})*(?:-{_DATE})?(?:-{_WORD})*(?:-[0-9]{{1,4}})?(?:{_SUFFIX})",
    re.ASCII,
)
_MAX_NAME_LENGTH = 100


def has_expected_name(name: str) -> bool:
    """Whether a landing file's own name (without folder) may be recorded and printed."""
    return len(name) <= _MAX_NAME_LENGTH and EXPECTED_NAME.fullmatch(name) is not None


def recorded_name(root: Path, path: Path, position: int) -> str:
    """How landing file `path` is recorded and printed: its path relative to `root` if its
    name has the expected form, else its folder and `position`, the 1-based place of the
    file among its folder's data files in name order (`events/date=2026-01-10/#3`).

    The folder comes from the layout, which the warehouse checks (`landing.contract`).
    """
    folder = path.parent.relative_to(root).as_posix()
    return f"{folder}/{path.name}" if has_expected_name(path.name) else f"{folder}/#{position}"


def recorded_files(root: Path, files: Sequence[Path]) -> list[tuple[Path, str]]:
    """(path, recorded name) of each of `files`, for `read_landing_files`.

    `files` are whole folders under `root`, as `landing.contract.feed_files` lists them, so
    a position counts every data file of the folder (see `recorded_name`).
    """
    folders: dict[Path, list[Path]] = {}
    for path in files:
        folders.setdefault(path.parent, []).append(path)
    positions = {
        path: position
        for paths in folders.values()
        for position, path in enumerate(sorted(paths, key=lambda p: p.name), start=1)
    }
    return [(path, recorded_name(root, path, positions[path])) for path in files]


def _gunzip(raw: bytes) -> bytes:
    """Every gzip member of `raw`, in order. ISA-L's zlib interface is about twice as fast as
    zlib here and a third faster than its own `igzip.decompress`; it releases the GIL.
    """
    members = []
    while raw:
        member = isal_zlib.decompressobj(wbits=_GZIP_WBITS)
        members.append(member.decompress(raw))
        if not member.eof:
            raise EOFError
        raw = member.unused_data.lstrip(b"\0")  # zero padding between members, as gzip allows
    return b"".join(members) if len(members) != 1 else members[0]


def _decompress(path: Path, source: str) -> bytes:
    """The file's bytes, gunzipped if it is `.gz`; an error names it as `source`."""
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    if not raw:
        raise LandingFileError(f"{source}: the file is empty, not a gzip stream")
    try:
        return _gunzip(raw)
    except EOFError:
        raise LandingFileError(f"{source}: the gzip stream is truncated") from None
    except isal_zlib.error as error:  # not gzip, a broken deflate block, a bad checksum
        raise LandingFileError(f"{source}: not a readable gzip file ({error})") from None


def _line_offsets(data: bytes) -> np.ndarray:
    """Start offsets of every line plus the end; a final newline does not open a line.

    A byte-order mark at the start is left out of the first line (no copy of the data).
    """
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE)
    offsets = np.empty(len(newlines) + 2, dtype=np.int64)
    offsets[0] = len(_BOM) if data.startswith(_BOM) else 0
    offsets[1:-1] = newlines + 1
    offsets[-1] = len(data)
    return offsets[:-1] if offsets[-2] == offsets[-1] else offsets


def _decoded(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _text_lines(data: bytes) -> pa.LargeStringArray:
    """The lines of `data` (each with its line end), NULL where a line is not UTF-8."""
    offsets = _line_offsets(data)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    try:
        return lines.cast(pa.large_string())  # validates, shares the buffers
    except pa.ArrowInvalid:
        return pa.array([_decoded(line) for line in lines.to_pylist()], pa.large_string())


def read_numbered_lines(path: Path, source: str) -> pa.Table:
    """One row per physical line: `source` (the file's name as recorded, see
    `recorded_files`; errors name the file so too), `line_number`, `line` (text with its line
    end; NULL where the line is not valid UTF-8).
    """
    lines = _text_lines(_decompress(path, source))
    count = len(lines)
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
    """All lines of `files` ((path, recorded name) pairs, from `recorded_files`) as one
    table, read in parallel, with `row_key` numbering every line in the order of (recorded
    name, line number).

    gzip decompression releases the GIL, so two threads use both cores of the machine.
    """
    if not files:
        return pa.table(
            {
                "source": pa.array([], pa.dictionary(pa.int32(), pa.string())),
                "line_number": pa.array([], pa.int64()),
                "line": pa.array([], pa.large_string()),
                "row_key": pa.array([], pa.int64()),
            }
        )
    ordered = sorted(files, key=lambda item: item[1])
    with ThreadPoolExecutor(max_workers=threads) as pool:
        tables = list(pool.map(lambda item: read_numbered_lines(*item), ordered))
    table = pa.concat_tables(tables, promote_options="permissive")
    table = table.append_column("row_key", pa.array(np.arange(table.num_rows, dtype=np.int64)))
    # DuckDB hands each thread a whole Arrow batch: batches of one file each would leave a
    # core idle while the other parses the largest file. Slicing copies nothing.
    return pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), table.schema)
