"""Loading one feed's landing files into a parsed temp table, with its quarantine recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from ingestion.feeds import Feed
from ingestion.lines import read_landing_files, recorded_files
from ingestion.parse import Window, parse_sql
from ingestion.warehouse import SCHEMA
from landing.contract import feed_files


def load_feed(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    feed: Feed,
    day: date | None = None,
    extra_columns: str = "",
    window: Window | None = None,
) -> tuple[str, list[tuple[str, int]]]:
    """Parse `feed` (one delivery day of it, for daily feeds) into temp table `parsed_<feed>`.

    `extra_columns` (SQL select items over the parsed columns) are computed in the same
    statement; `window` bounds the records' `ts` (see `parse_sql`). Returns the table's name
    and the files read as (recorded name, size): the path relative to the landing root, or a
    stand-in for a name of unexpected form (`ingestion.lines.recorded_name`).
    """
    named = recorded_files(landing_dir, feed_files(landing_dir, feed.name, day))
    lines = read_landing_files(named)
    table = f"parsed_{feed.name}"
    con.register("landing_lines", lines)
    try:
        con.execute(
            f"create or replace temp table {table} as "
            f"select *{extra_columns} from ({parse_sql(feed, 'landing_lines', window)})"
        )
    finally:
        con.unregister("landing_lines")
    return table, [(name, path.stat().st_size) for path, name in named]


def replace_quarantine(
    con: duckdb.DuckDBPyConnection, feed: Feed, parsed: str, day: date | None
) -> dict[str, int]:
    """Record the quarantined lines of `parsed` (file, line, reason; never content).

    `parsed` is a table or subquery with `source`, `line_number` and `reason` (NULL for a
    line that is not quarantined).
    """
    con.execute(
        f"delete from {SCHEMA}.quarantine where feed = ? and delivery_day is not distinct from ?",
        [feed.name, day],
    )
    con.execute(
        f"""insert into {SCHEMA}.quarantine
        select ?, ?, source, line_number, reason from {parsed} where reason is not null""",
        [feed.name, day],
    )
    rows = con.execute(
        f"select reason, count(*) from {parsed} where reason is not null group by reason"
    ).fetchall()
    return dict(rows)
