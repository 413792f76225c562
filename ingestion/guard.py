"""The last step of a day before it commits: its stored rows held against the checks.

Ingestion's rules keep every value inside its column's class by construction; the guard
does not trust that. It scans the day's rows with the same functions the blocking checks
use (`ingestion.checks`): a value outside its class becomes the class's fallback, free text
holding personal data is scrubbed again, each counted per column. Then the checks must
find nothing, or the day does not commit: nothing forbidden is ever stored, then flagged.
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import date

import duckdb
import pyarrow as pa

from almaty.errors import AlmatyError
from ingestion.checks import (
    class_violations,
    forbidden_records,
    holding_personal_data,
    stored_texts,
    text_findings,
)
from ingestion.columns import class_of
from ingestion.mapping import AT_ONCE
from ingestion.warehouse import SCHEMA
from privacy.text import scrub_text


class GuardError(AlmatyError):
    """A day whose stored rows still break a rule after the guard: it is not committed."""


def _scrub_text(
    con: duckdb.DuckDBPyConnection, feed: str, day: date, findings: list[tuple[str, str]]
) -> dict[str, int]:
    """Scrub again every free-text value of the day that holds personal data (`findings`)."""
    corrected: dict[str, int] = {}
    for column, value in findings:
        [(rows,)] = con.execute(
            f"update {SCHEMA}.{feed} set {column} = ? where delivery_day = ? and {column} = ?",
            [scrub_text(value), day, value],
        ).fetchall()
        corrected[column] = corrected.get(column, 0) + rows
    return corrected


def _map_outside(
    con: duckdb.DuckDBPyConnection, feed: str, day: date, outside: dict[str, int]
) -> dict[str, int]:
    """Replace every value of the day outside its class (`outside`, per column) by the
    class's fallback."""
    for column in outside:
        cls = class_of(feed, column)
        try:
            con.execute(
                f"update {SCHEMA}.{feed} set {column} = {cls.enforce_sql(column)} "
                f"where delivery_day = ? and not {cls.allows_sql(column)}",
                [day],
            )
        except duckdb.ConstraintException:  # a required column: its fallback cannot stand in
            raise GuardError(
                f"{feed} {day}: not stored, {column} holds values outside its class "
                f"({cls.name}) that nothing may replace"
            ) from None
    return outside


def guard_day(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    day: date,
    cutoff: date,
    executor: Executor | None = None,
) -> dict[str, int]:
    """Within the day's transaction: correct what slipped through, per column, then fail
    (GuardError, naming the day, the check and the columns, never a value) if any check
    still finds something. The Python scan of the text runs in `executor`, if given, while
    DuckDB scans the rest."""
    texts = stored_texts(con, feed, day, day)
    pending = (executor or AT_ONCE).submit(holding_personal_data, texts)
    outside = class_violations(con, feed, day, day)
    forbidden = forbidden_records(con, feed, day, day, cutoff)
    corrected = _map_outside(con, feed, day, outside) | _scrub_text(
        con, feed, day, pending.result()
    )
    remaining = {"records of suppressed or expired subjects": forbidden}
    if corrected:  # else the scans just found nothing: they need not run again
        remaining |= {
            "values outside their class": class_violations(con, feed, day, day),
            "personal data in text": {c: 1 for c, _ in text_findings(con, feed, day, day)},
            "records of suppressed or expired subjects": forbidden_records(
                con, feed, day, day, cutoff
            ),
        }
    failed = {check: found for check, found in remaining.items() if found}
    if failed:
        detail = "; ".join(
            f"{check}: {', '.join(sorted(found))}" for check, found in failed.items()
        )
        raise GuardError(f"{feed} {day}: not stored, the checks still find {detail}")
    return corrected


def record_corrections(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    day: date | None,
    stage: str,
    counts: dict[str, int],
) -> None:
    """Replace the counts of corrected values of `feed`'s day (None for an append-only feed)
    and `stage` (ingestion or guard)."""
    con.execute(
        f"delete from {SCHEMA}.corrections where feed = ? "
        "and delivery_day is not distinct from ? and stage = ?",
        [feed, day, stage],
    )
    if counts:
        con.from_arrow(
            pa.table(
                {
                    "feed": [feed] * len(counts),
                    "delivery_day": pa.array([day] * len(counts), pa.date32()),
                    "column_name": list(counts),
                    "stage": [stage] * len(counts),
                    "records": pa.array(list(counts.values()), pa.int64()),
                }
            )
        ).insert_into(f"{SCHEMA}.corrections")
