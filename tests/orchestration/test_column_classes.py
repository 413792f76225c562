"""Every column the pipeline stores has a privacy class, and every stored value lies in it.

Run over the generated zone's whole pipeline: the warehouse (ingested tables, dbt's
staging views, intermediate tables and marts), both published copies and every file of the
recommendation export. A column nobody classified fails here, so none can slip in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion.columns import class_of
from ingestion.lake import ALIAS, connect_lake
from privacy.detect import find_personal_data


def _relations(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str, str]]:
    """(qualified name, table name, column) of every column of every table and view."""
    rows = con.execute(
        """select schema_name, table_name, column_name from duckdb_columns()
        where database_name = ? and not internal order by all""",
        [database],
    ).fetchall()
    return [(f'"{database}"."{s}"."{t}"', t, c) for s, t, c in rows]


@pytest.fixture(scope="module")
def attached(generated_run: dict):
    """A connection with the lake and the dashboards' copy attached (read-only), and every
    stored column of the run, the export files' included, as (relation, table, column)."""
    warehouse = Path(generated_run["warehouse"])
    con = connect_lake(warehouse, read_only=True)
    con.execute(f"attach '{warehouse / 'published.duckdb'}' as published (read_only)")
    found = _relations(con, ALIAS) + _relations(con, "published")
    for parquet in sorted(Path(generated_run["exports"]).rglob("*.parquet")):
        relation = f"read_parquet('{parquet}')"
        columns = con.execute(f"describe select * from {relation}").fetchall()
        found += [(relation, parquet.stem, column[0]) for column in columns]
    yield con, found
    con.close()


def test_every_stored_column_has_a_privacy_class(attached) -> None:
    _, stored = attached
    unclassified = set()
    for _, table, column in stored:
        try:
            class_of(table, column)
        except KeyError:
            unclassified.add(f"{table}.{column}")
    assert not unclassified
    assert {table for _, table, _ in stored} >= {"events", "fct_traffic_daily", "users"}


def test_every_stored_value_lies_in_its_columns_class(attached) -> None:
    con, stored = attached
    outside: dict[str, object] = {}
    for relation, table, column in stored:
        cls = class_of(table, column)
        quoted = f'"{column}"'
        if cls.check is None:
            values = con.execute(
                f"select distinct {quoted} from {relation} where {quoted} is not null"
            ).fetchall()
            findings = sorted(v for (v,) in values if find_personal_data(v))
            if findings:
                outside[f"{relation}.{column}"] = findings[:3]
            continue
        [(count,)] = con.execute(
            f"select count(*) from {relation} where not {cls.allows_sql(quoted)}"
        ).fetchall()
        if count:
            outside[f"{relation}.{column}"] = count
    assert not outside
