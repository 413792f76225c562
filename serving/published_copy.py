"""The read-only copy of the marts that readers open, so they never hold the warehouse file.

DuckDB lets one process write a file, and while it does no other process can open that file,
even read-only. So after each successful build the marts are copied into a new file that
replaces the published one atomically (write, then rename): a reader sees the old copy or the
new one, never half of one, and a reader holding the old file open never blocks the pipeline.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError

SCHEMA = "marts"
# When the copy was made and from which delivery days, for "data as of" in the dashboards.
ABOUT_TABLE = "publication"


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]  # table -> rows
    published_at: datetime


def publish_serving_copy(warehouse: Path, target: Path, now: datetime | None = None) -> Publication:
    """Copy every table of the warehouse's `marts` schema into `target`, replacing it at once.

    The caller must hold the warehouse's write slot (the Dagster pool): the copy reads a
    consistent state only while nothing writes.
    """
    now = now or datetime.now(UTC)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        con = duckdb.connect()
        try:
            con.execute(f"attach {_quoted(warehouse)} as warehouse (read_only)")
            con.execute(f"attach {_quoted(partial)} as published")
            tables = [
                row[0]
                for row in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'warehouse' "
                    "and schema_name = ? order by table_name",
                    [SCHEMA],
                ).fetchall()
            ]
            if not tables:
                raise AlmatyError(f"{warehouse}: no marts to publish (run the dbt models first)")
            con.execute(f"create schema published.{SCHEMA}")
            counts = {}
            for table in tables:
                con.execute(
                    f"create table published.{SCHEMA}.{table} as from warehouse.{SCHEMA}.{table}"
                )
                counts[table] = con.execute(
                    f"select count(*) from published.{SCHEMA}.{table}"
                ).fetchall()[0][0]
            con.execute(
                f"create table published.{SCHEMA}.{ABOUT_TABLE} as "
                "select ?::timestamptz as published_at, "
                "(select max(delivery_day) from warehouse.ingested.events) as newest_delivery_day",
                [now],
            )
            con.execute("detach published")
        finally:
            con.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    return Publication(target, counts, now)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@contextmanager
def open_serving_copy(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the published copy; close it soon after use."""
    if not path.exists():
        raise AlmatyError(f"{path}: nothing published yet (run `almaty run` first)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def serving_copy_version(path: Path) -> tuple[int, int] | None:
    """Changes whenever a new copy is published: readers compare it to know when to reload."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


# `duckdb.connect(path)` would hand back the database this process already has open for that
# path, which after a publication is the old file; attaching to a new in-memory database
# opens the file anew.
_ATTACHED = "published"


class ServingCopyReader:
    """One read-only connection to the published copy, reopened when a new copy replaces it.

    Long-lived readers (the dashboards) keep it and call `connection()` before each query:
    the old file stays readable to queries already running, and the pipeline never waits.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None

    def version(self) -> tuple[int, int] | None:
        """The copy's current version (see `serving_copy_version`); None before the first."""
        return serving_copy_version(self.path)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for the caller's thread, on the newest published copy."""
        with self._lock:
            version = self.version()
            if version is None:
                raise AlmatyError(f"{self.path}: nothing published yet (run `almaty run` first)")
            if self._con is None or version != self._version:
                # The previous connection is dropped, not closed: cursors still reading it
                # finish on the old copy and it closes with the last of them.
                self._con = duckdb.connect()
                self._con.execute(f"attach {_quoted(self.path)} as {_ATTACHED} (read_only)")
                self._version = version
            cursor = self._con.cursor()
        cursor.execute(f"use {_ATTACHED}")
        return cursor
