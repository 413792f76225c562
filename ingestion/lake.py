"""The warehouse as a DuckLake: a SQLite catalog and Parquet files in one folder.

A day's run writes only the files of that day, so it costs the same on a warehouse of years
as on a new one; readers attach the catalog read-only while the pipeline writes and see the
last committed snapshot. The folder holds:

    catalog.sqlite    the catalog: tables, snapshots, which files hold which rows
    data/             the Parquet files, per schema, table and (person-level) Almaty day
    extensions/       DuckDB's DuckLake and SQLite extensions, installed from their wheels
    published.duckdb  the dashboards' copy of the marts (serving/published_copy.py)

Deleted rows stay in their old files until the files are rewritten and the snapshots that
still name them are expired, and the catalog's freed SQLite pages keep old values until it
is vacuumed: `remove_deleted_bytes` does all of that, for erasure.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import time
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError

# The catalog's name inside DuckDB, the same in every process: dbt's views name it.
ALIAS = "lake"
EXTENSIONS = ("sqlite_scanner", "ducklake")


def catalog_path(lake: Path) -> Path:
    return lake / "catalog.sqlite"


def data_path(lake: Path) -> Path:
    return lake / "data"


def extension_directory(lake: Path) -> Path:
    return lake / "extensions"


def check_lake_folder(lake: Path) -> None:
    """Refuse a single DuckDB file where the lake's folder should be (a warehouse made before
    the lake): it is rebuilt from the landing zone, not converted."""
    if lake.is_file():
        raise AlmatyError(
            f"{lake}: a single-file warehouse of an earlier version; the warehouse is now a "
            "folder: move the file away and rebuild it from the landing zone with "
            "`almaty run FIRST LAST` over all delivery days",
            exit_code=2,
        )


def _extension_file(name: str) -> Path | None:
    """The signed binary a `duckdb-extension-<name>` wheel installed, if any."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions"
    found = sorted(folder.glob(f"v{duckdb.__version__}/{name}.duckdb_extension"))
    return found[0] if found else None


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckLake and the SQLite scanner into `con`, whose extension directory is the
    lake's: installed from the wheels when they are there, else by DuckDB's own INSTALL."""
    installed = {
        name
        for (name,) in con.execute(
            "select extension_name from duckdb_extensions() where installed"
        ).fetchall()
    }
    for name in EXTENSIONS:
        if name not in installed:
            wheel_file = _extension_file(name)
            source = f"'{_escaped(wheel_file)}'" if wheel_file else name
            try:
                con.execute(f"install {source}")
            except duckdb.Error as error:
                raise AlmatyError(
                    f"DuckDB extension {name}: cannot install it ({error}); install the "
                    f"duckdb-extension-{name.replace('_', '-')} package"
                ) from None
        con.execute(f"load {name}")


def connect_lake(lake: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with the lake attached as `lake` and in use, in UTC.

    Read-only connections may be opened while the pipeline writes: they see the snapshot
    committed last when they attached.
    """
    check_lake_folder(lake)
    if read_only and not catalog_path(lake).exists():
        raise AlmatyError(f"{lake}: no warehouse here yet (run `almaty run` first)")
    if not read_only:
        data_path(lake).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config=connection_config(lake))
    try:
        con.execute("set TimeZone = 'UTC'")
        load_extensions(con)
        options = ", ".join(f"{key} {value}" for key, value in attach_options(lake).items())
        mode = ", read_only" if read_only else ""
        con.execute(
            f"attach 'ducklake:sqlite:{_escaped(catalog_path(lake))}' as {ALIAS} ({options}{mode})"
        )
        con.execute(f"use {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def connection_config(lake: Path) -> dict[str, str | bool]:
    """DuckDB settings every connection to the lake needs (dbt's profile passes the same)."""
    return {
        "extension_directory": str(extension_directory(lake)),
        "autoinstall_known_extensions": False,
    }


def attach_options(lake: Path) -> dict[str, str]:
    """The DuckLake ATTACH options, as SQL literals: rows always go to Parquet files (never
    inlined into the catalog, where erasure could not rewrite them file by file), and the
    files are always those beside the catalog, so a copied or moved folder works as it is."""
    return {
        "data_path": f"'{_escaped(data_path(lake))}/'",
        "override_data_path": "true",
        "data_inlining_row_limit": "0",
    }


def partition_by_day(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Store `table`'s rows in one folder of files per Almaty day, so a day is rewritten
    (re-run, erasure) without touching the files of any other."""
    con.execute(f"alter table {table} set partitioned by ({column})")


def remove_deleted_bytes(con: duckdb.DuckDBPyConnection, lake: Path, grace_seconds: float) -> int:
    """After rows were deleted or changed, make their old values unreadable on the disk; the
    number of files deleted.

    Only the files that held such rows are rewritten (a day nobody's rows left keeps its
    files byte for byte). After `grace_seconds`, so readers that attached before the change
    finish on the old snapshot, every older snapshot is expired and the files no snapshot
    needs are deleted; then the catalog is vacuumed.
    """
    con.execute(f"call ducklake_rewrite_data_files('{ALIAS}', delete_threshold => 0)")
    time.sleep(grace_seconds)
    removed = expire_old_snapshots(con)
    narrow_table_statistics(lake)
    vacuum_catalog(lake)
    return removed


def expire_old_snapshots(con: duckdb.DuckDBPyConnection) -> int:
    """Expire every snapshot but the newest and delete the files none of them needs: the
    lake keeps no history (time travel would keep what a purge removed)."""
    con.execute(f"call ducklake_expire_snapshots('{ALIAS}', older_than => now())")
    removed = con.execute(
        f"select count(*) from ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)"
    ).fetchall()[0][0]
    return int(removed)


# DuckLake's names of column types, where DuckDB's differ (a statistic is cast to compare).
_DUCKDB_TYPES = {"int8": "tinyint", "int16": "smallint", "int32": "integer", "int64": "bigint",
                 "float32": "float", "float64": "double"}  # fmt: skip


def narrow_table_statistics(lake: Path) -> None:
    """Set each column's table-wide smallest and largest value to those of the files it has
    now. DuckLake only ever widens them as rows come, so a deleted row's value (an erased
    pseudonym, a query) would stay in the catalog as a table's bound; a column without files
    any more has no bounds. The catalog is attached as the SQLite file it is (the lake's own
    attachment would not let another write it)."""
    meta = "catalog"
    con = duckdb.connect(config=connection_config(lake))
    try:
        load_extensions(con)
        con.execute(f"attach '{_escaped(catalog_path(lake))}' as {meta} (type sqlite)")
        _narrow(con, meta)
    finally:
        con.close()


def _narrow(con: duckdb.DuckDBPyConnection, meta: str) -> None:
    kinds = con.execute(
        f"select distinct column_type from {meta}.ducklake_column where end_snapshot is null"
    ).fetchall()
    for (kind,) in kinds:
        typed = _DUCKDB_TYPES.get(kind, kind)
        if kind in ("list", "struct", "map"):
            typed = "varchar"  # their own values are in their element columns
        con.execute(
            f"""update {meta}.ducklake_table_column_stats s
            set min_value = live.min_value, max_value = live.max_value
            from (
              select c.table_id, c.column_id,
                arg_min(f.min_value, try_cast(f.min_value as {typed})) as min_value,
                arg_max(f.max_value, try_cast(f.max_value as {typed})) as max_value
              from {meta}.ducklake_column c
              left join {meta}.ducklake_data_file d
                on d.table_id = c.table_id and d.end_snapshot is null
              left join {meta}.ducklake_file_column_stats f
                on f.data_file_id = d.data_file_id and f.column_id = c.column_id
              where c.end_snapshot is null and c.column_type = ?
              group by all
            ) live
            where s.table_id = live.table_id and s.column_id = live.column_id""",
            [kind],
        )


def vacuum_catalog(lake: Path, timeout_seconds: float = 60) -> None:
    """Rewrite the SQLite catalog without its freed pages, which keep deleted values (the
    statistics of deleted files: a column's smallest and largest value)."""
    catalog = sqlite3.connect(catalog_path(lake), timeout=timeout_seconds)
    try:
        catalog.execute("vacuum")
    finally:
        catalog.close()


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")
