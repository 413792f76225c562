"""The read-only copies readers open, so they never hold the warehouse file: the marts for
dashboards and the service, and the rows per person for access requests.

DuckDB lets one process write a file, and while it does no other process can open that file,
even read-only. So after each successful build the marts are copied into a new file that
replaces the published one atomically (write, then rename): a reader sees the old copy or the
new one, never half of one, and a reader holding the old file open never blocks the pipeline.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError

SCHEMA = "marts"
# When the copy was made and from which delivery days, for "data as of" in the dashboards.
ABOUT_TABLE = "publication"
# What access requests read (serving/access.py): every table that holds rows per person,
# published in a file of their own beside the marts' copy.
ACCESS_TABLES: tuple[tuple[str, str], ...] = (
    ("ingested", "events"),
    ("ingested", "searches"),
    ("ingested", "identity_links"),
    ("ingested", "consent_changes"),
    ("ingested", "account_changes"),
    ("ingested", "erasure_requests"),
    ("ingested", "listing_versions"),
    ("intermediate", "int_sessions"),
    ("marts", "fct_user_listing_interactions"),
)


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

    def copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        tables = [
            (SCHEMA, row[0])
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = 'warehouse' "
                "and schema_name = ? order by table_name",
                [SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise AlmatyError(f"{warehouse}: no marts to publish (run the dbt models first)")
        counts = {table: rows for (_, table), rows in _copy_tables(con, tables).items()}
        con.execute(
            f"create table published.{SCHEMA}.{ABOUT_TABLE} as "
            "select ?::timestamptz as published_at, "
            "(select max(delivery_day) from warehouse.ingested.events) as newest_delivery_day",
            [now],
        )
        return counts

    return Publication(target, _write_copy(warehouse, target, copy), now)


def publish_access_copy(warehouse: Path, target: Path, now: datetime | None = None) -> Publication:
    """Copy the tables that hold rows per person (ACCESS_TABLES) into `target`, for access
    requests, replacing it at once; the same rules as `publish_serving_copy`.

    A file of its own, so the dashboards' copy holds no row about a person.
    """
    now = now or datetime.now(UTC)

    def copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        copied = _copy_tables(con, ACCESS_TABLES)
        return {f"{schema}.{table}": rows for (schema, table), rows in copied.items()}

    return Publication(target, _write_copy(warehouse, target, copy), now)


def _copy_tables(
    con: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Copy `tables` (schema, table) of `warehouse` into `published`; rows of each."""
    counts = {}
    for schema, table in tables:
        con.execute(f"create schema if not exists published.{schema}")
        con.execute(f"create table published.{schema}.{table} as from warehouse.{schema}.{table}")
        counts[schema, table] = con.execute(
            f"select count(*) from published.{schema}.{table}"
        ).fetchall()[0][0]
    return counts


def _write_copy(
    warehouse: Path, target: Path, copy: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> dict[str, int]:
    """Run `copy` with the warehouse attached read-only as `warehouse` and a new file as
    `published`, then rename the new file over `target`; what `copy` returned."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        con = duckdb.connect()
        try:
            con.execute(f"attach {_quoted(warehouse)} as warehouse (read_only)")
            con.execute(f"attach {_quoted(partial)} as published")
            counts = copy(con)
            con.execute("detach published")
        finally:
            con.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    return counts


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
