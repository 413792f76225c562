"""Applying a Python privacy rule to the distinct values of a column, not to every row.

A day holds a million events but only tens of thousands of distinct users, addresses and
user agents: the rule runs once per distinct value and DuckDB joins the result back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import pyarrow as pa


def map_distinct(
    con: duckdb.DuckDBPyConnection,
    table: str,
    values_sql: str,
    rule: Callable[[list[Any]], dict[str, Sequence[Any]]],
    types: dict[str, pa.DataType] | None = None,
) -> int:
    """Create temp table `table` (value, *outputs) from the distinct non-null values.

    `values_sql` selects one column; `rule` gets the distinct values as a list and returns
    output columns aligned with it. Returns how many distinct values there were.
    """
    values = (
        con.sql(f"select distinct v from ({values_sql}) as t(v) where v is not null")
        .to_arrow_table()
        .column(0)
        .to_pylist()
    )
    outputs = rule(values)
    columns: dict[str, Any] = {"value": pa.array(values, pa.string())}
    for name, column in outputs.items():
        columns[name] = pa.array(column, (types or {}).get(name))
    mapped = pa.table(columns)
    con.register(f"{table}__arrow", mapped)
    con.execute(f"create or replace temp table {table} as select * from {table}__arrow")
    con.unregister(f"{table}__arrow")
    return len(values)
