"""Rewriting the warehouse file so that deleted rows are gone from the disk, not just hidden.

DuckDB marks the blocks of deleted rows free and reuses them later, but their old bytes stay
in the file until then; a purged pseudonym could still be read there. Copying the database
into a new file (ATTACH + COPY FROM DATABASE) writes only what is live; the copy then
replaces the old file in one rename, so a crash leaves one whole file or the other.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def compact_database(path: Path) -> tuple[int, int]:
    """Rewrite the DuckDB file `path` with only its live data; its sizes before and after.

    The caller must hold the warehouse's write slot (the Dagster pool). The writing
    connection stays open until the new file is in place, so another process waiting for
    the file's lock opens the new file, never the old one.
    """
    wal = path.with_name(path.name + ".wal")
    before = path.stat().st_size
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.compacting")
    try:
        with duckdb.connect(str(path)) as con:
            con.execute("checkpoint")  # the write-ahead log into the file, so it can be copied
            if wal.exists():
                raise AlmatyError(f"{path}: its write-ahead log is still in use; not compacted")
            [(source,)] = con.execute("select current_database()").fetchall()
            con.execute(f"attach {_quoted(partial)} as compacted")
            con.execute(f'copy from database "{source}" to compacted')
            con.execute("detach compacted")
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, path)
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    return before, path.stat().st_size
