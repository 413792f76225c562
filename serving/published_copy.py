"""The dashboards' and the service's copy of the marts: a small DuckDB file of its own.

Readers of rows about a person (access requests, the data team) attach the lake read-only;
the dashboards and the service read this copy instead, which holds no row about a person and
answers their many small queries from one local file. After each successful build the marts
are copied into a new file that replaces the published one atomically (write, then rename):
a reader sees the old copy or the new one, never half of one, and a reader holding the old
file open never blocks the pipeline. A purge that changed the warehouse publishes the copy
again at once (`republish_serving_copy`), so what it removed leaves it even when the build
after it fails.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError
from ingestion.lake import ALIAS, connect_lake

SCHEMA = "marts"
# When the copy was made and from which delivery days, for "data as of" in the dashboards.
ABOUT_TABLE = "publication"
# The marts with a row per person stay in the lake, out of the dashboards' copy.
PERSON_MARTS = ("fct_user_listing_interactions",)


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]  # table -> rows
    published_at: datetime
    newest_delivery_day: date | None = None  # the marts' copy only


def publish_serving_copy(
    warehouse: Path, target: Path, now: datetime | None = None, keep_data_as_of: bool = False
) -> Publication:
    """Copy every table of the warehouse's `marts` schema but those with a row per person
    (PERSON_MARTS) into `target`, replacing it at once.

    The copy says when it was published and the newest delivery day the marts were built
    from: the newest ingested one, or with `keep_data_as_of` the one `target` already says
    (a purge publishes the marts of the last build again, without what it removed, before
    the models are built over the days ingested since).
    The caller must hold the warehouse's write slot (the Dagster pool): the copy reads a
    consistent state only while nothing writes.
    """
    now = now or datetime.now(UTC)
    about: dict[str, date | None] = {}

    def copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        tables = [(s, t) for s, t in _tables_of(con, ALIAS, SCHEMA) if t not in PERSON_MARTS]
        if not tables:
            raise AlmatyError(f"{warehouse}: no marts to publish (run the dbt models first)")
        counts = {table: rows for (_, table), rows in _copy_tables(con, tables).items()}
        newest_sql = f"select max(delivery_day) from {ALIAS}.ingested.events"
        if keep_data_as_of and target.exists():
            con.execute(f"attach {_quoted(target)} as previous (read_only)")
            if (SCHEMA, ABOUT_TABLE) in _tables_of(con, "previous", SCHEMA):
                newest_sql = f"select newest_delivery_day from previous.{SCHEMA}.{ABOUT_TABLE}"
        con.execute(
            f"create table published.{SCHEMA}.{ABOUT_TABLE} as "
            f"select ?::timestamptz as published_at, ({newest_sql}) as newest_delivery_day",
            [now],
        )
        [(about["newest"],)] = con.execute(
            f"select newest_delivery_day from published.{SCHEMA}.{ABOUT_TABLE}"
        ).fetchall()
        return counts

    counts = _write_copy(warehouse, target, copy)
    return Publication(target, counts, now, about["newest"])


def republish_serving_copy(
    warehouse: Path, target: Path, now: datetime | None = None
) -> Publication | None:
    """After a purge that changed the warehouse: the copy, if one was published, published
    again from it at once, so nothing the purge removed stays in it while the models are
    rebuilt (or when their build fails). The marts are those of the last build without the
    purged rows, so the copy keeps the newest delivery day it was built from. A copy the
    warehouse can no longer make (it has no marts: a new warehouse) is withdrawn, not left
    behind. Its new publication; None when it was withdrawn or never published.

    The caller must hold the warehouse's write slot, as for `publish_serving_copy`.
    """
    if not target.exists():
        return None
    with connect_lake(warehouse, read_only=True) as con:
        has_marts = bool(_tables_of(con, ALIAS, SCHEMA))
    if not has_marts:
        target.unlink()
        return None
    return publish_serving_copy(warehouse, target, now, keep_data_as_of=True)


def _tables_of(
    con: duckdb.DuckDBPyConnection, database: str, schema: str | None = None
) -> list[tuple[str, str]]:
    """(schema, table) of the base tables of the attached `database`, in `schema` if given."""
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and (schema_name = ? or ? is null) order by all",
        [database, schema, schema],
    ).fetchall()
    return [(schema_name, table) for schema_name, table in rows]


def _copy_tables(
    con: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Copy `tables` (schema, table) of the lake into `published`; rows of each."""
    counts = {}
    for schema, table in tables:
        con.execute(f"create schema if not exists published.{schema}")
        con.execute(f"create table published.{schema}.{table} as from {ALIAS}.{schema}.{table}")
        counts[schema, table] = con.execute(
            f"select count(*) from published.{schema}.{table}"
        ).fetchall()[0][0]
    return counts


def _write_copy(
    warehouse: Path, target: Path, copy: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> dict[str, int]:
    """Run `copy` with the lake attached read-only and a new file as `published`, then
    rename the new file over `target`; what `copy` returned."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        con = connect_lake(warehouse, read_only=True)
        try:
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
