"""Applying a Python privacy rule to the distinct values of a column, not to every row.

A day holds a million events but only tens of thousands of distinct users, addresses and
user agents: the rule runs once per distinct value and DuckDB joins the result back.

A rule can also run in a worker thread (`start_map` with an executor, `finish_map` when the
map is needed), so its Python time overlaps DuckDB's work on the day, which releases the GIL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

Rule = Callable[[list[Any]], dict[str, Sequence[Any]]]


class AtOnce(Executor):
    """An executor that runs what is submitted at once, in the caller's thread: where no
    worker thread is given."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


AT_ONCE = AtOnce()


@dataclass
class PendingMap:
    """A map whose rule is running: its table name, distinct values and future outputs."""

    table: str
    values: list[Any]
    outputs: Future[dict[str, Sequence[Any]]]
    types: dict[str, pa.DataType]


def start_map(
    con: duckdb.DuckDBPyConnection,
    table: str,
    values_sql: str,
    rule: Rule,
    types: dict[str, pa.DataType] | None = None,
    executor: Executor | None = None,
) -> PendingMap:
    """Fetch the distinct non-null values of `values_sql` (one column) and start `rule` on
    them: in `executor` if given, else at once.
    """
    values = (
        con.sql(f"select distinct v from ({values_sql}) as t(v) where v is not null")
        .to_arrow_table()
        .column(0)
        .to_pylist()
    )
    outputs = (executor or AT_ONCE).submit(rule, values)
    return PendingMap(table, values, outputs, types or {})


def finish_map(con: duckdb.DuckDBPyConnection, pending: PendingMap) -> int:
    """Create temp table `pending.table` (value, *outputs) once the rule is done; returns
    how many distinct values there were. The rule's error, if any, is raised here.
    """
    columns: dict[str, Any] = {"value": pa.array(pending.values, pa.string())}
    for name, column in pending.outputs.result().items():
        columns[name] = pa.array(column, pending.types.get(name))
    mapped = pa.table(columns)
    con.register(f"{pending.table}__arrow", mapped)
    con.execute(
        f"create or replace temp table {pending.table} as select * from {pending.table}__arrow"
    )
    con.unregister(f"{pending.table}__arrow")
    return len(pending.values)


def map_distinct(
    con: duckdb.DuckDBPyConnection,
    table: str,
    values_sql: str,
    rule: Rule,
    types: dict[str, pa.DataType] | None = None,
) -> int:
    """Create temp table `table` (value, *outputs) from the distinct non-null values.

    `values_sql` selects one column; `rule` gets the distinct values as a list and returns
    output columns aligned with it. Returns how many distinct values there were.
    """
    return finish_map(con, start_map(con, table, values_sql, rule, types))
