"""What must hold of stored usage records, as plain functions over the warehouse and a day range.

Each finds what the policy could be broken by: a value outside its column's privacy class
(`ingestion.columns`), personal data in free text (`privacy.detect`), and records of
subjects that opted out, were erased or have expired. The same functions guard each day
before it commits (`ingestion.guard`) and run as blocking checks after, a second line that
should never fire.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from ingestion.columns import class_of
from ingestion.feeds import FEEDS
from ingestion.warehouse import SCHEMA
from privacy.detect import find_personal_data
from privacy.retention import anonymous_record_expired_sql
from privacy.suppression import strongest_reason_sql, suppression_digest_sql

_DAYS = "delivery_day between ? and ?"
# Classes whose values hardly repeat: checked row by row, not per distinct value.
_UNIQUE_PER_ROW = ("record id", "plausible timestamp", "day", "bounded number")


def stored_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of `ingested.<table>`, in order."""
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and table_name = ? order by column_index",
        [SCHEMA, table],
    ).fetchall()
    return [name for (name,) in rows]


def text_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The free-text columns of `table`: only Python can tell personal data in them."""
    return [c for c in stored_columns(con, table) if class_of(table, c).check is None]


def class_violations(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> dict[str, int]:
    """Per column, how many stored values of days `first..last` lie outside the column's
    privacy class (free text aside: see `personal_data_findings`). Empty when all is well."""
    checked = [c for c in stored_columns(con, feed) if class_of(feed, c).check_needs_a_scan]
    # One scan per column: DuckDB runs each on every core, where a single scan counting
    # every column runs on one. A column whose values repeat is checked once per distinct
    # value and the rows holding those counted: half the cost of checking every row.
    counts = " union all ".join(
        f"select {number}, count(*) filter (where not {class_of(feed, c).allows_sql(c)}) "
        f"from {SCHEMA}.{feed} where {_DAYS}"
        if class_of(feed, c).name in _UNIQUE_PER_ROW
        else f"select {number}, coalesce(sum(rows) filter "
        f"(where not {class_of(feed, c).allows_sql(c)}), 0)::bigint from ("
        f"select {c}, count(*) as rows from {SCHEMA}.{feed} where {_DAYS} group by all)"
        for number, c in enumerate(checked)
    )
    rows = con.execute(counts, [first, last] * len(checked)).fetchall()
    return {checked[number]: n for number, n in sorted(rows) if n}


def personal_data_findings(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> dict[str, dict[str, int]]:
    """Per free-text column, how many distinct stored values of days `first..last` hold
    personal data, by kind (ip, email, phone, iin, card, ...). Empty when all is well."""
    findings: dict[str, dict[str, int]] = {}
    for column, value in text_findings(con, feed, first, last):
        kinds = findings.setdefault(column, {})
        for kind in find_personal_data(value):
            kinds[kind] = kinds.get(kind, 0) + 1
    return findings


def text_findings(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> list[tuple[str, str]]:
    """(column, value) for every distinct free-text value of the days holding personal data."""
    return holding_personal_data(stored_texts(con, feed, first, last))


def stored_texts(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> list[tuple[str, str]]:
    """(column, value) for every distinct free-text value of the days."""
    texts = []
    for column in text_columns(con, feed):
        values = con.execute(
            f"select distinct {column} from {SCHEMA}.{feed} where {_DAYS} and {column} is not null",
            [first, last],
        ).fetchall()
        texts += [(column, value) for (value,) in values]
    return texts


def holding_personal_data(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (column, value) pairs of `texts` whose value holds personal data: plain Python,
    so it can run in a thread while DuckDB scans the rest."""
    return [(column, value) for column, value in texts if find_personal_data(value)]


def forbidden_records(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date, cutoff: date
) -> dict[str, int]:
    """Stored records of days `first..last` that belong to a suppressed subject (directly or
    through an anonymous id linked to one), by the strongest reason, or anonymous records
    older than `cutoff` (`retention`)."""
    key = FEEDS[feed].key
    days = {"first": first, "last": last}
    # The suppressed subjects among those stored, and the anonymous ids linked to them: a
    # few, found first, so the rows are then matched against a short list.
    subjects = con.execute(
        f"""with present as (
          select user_pseudonym as subject from {_stored(feed)} and user_pseudonym is not null
          union select anonymous_pseudonym from {_stored(feed)}
        ), suppressed as (
          select p.subject, s.reason from present p join {SCHEMA}.suppressed_subjects s
            on s.subject_digest = {suppression_digest_sql("p.subject")}
        )
        select subject, reason from suppressed
        union all
        select l.anonymous_pseudonym, s.reason
        from (
          select distinct l.anonymous_pseudonym, l.user_pseudonym
          from {SCHEMA}.identity_links l semi join present p
            on p.subject = l.anonymous_pseudonym
        ) l
        join {SCHEMA}.suppressed_subjects s
          on s.subject_digest = {suppression_digest_sql("l.user_pseudonym")}""",
        days,
    ).fetchall()
    listed = "(select unnest($subjects) as subject, unnest($reasons) as reason) s"
    by_subject = " union all ".join(
        f"select r.{key} as record, s.reason from {_stored(feed, listed, column)}"
        for column in ("user_pseudonym", "anonymous_pseudonym")
    )
    expired = anonymous_record_expired_sql("r.user_pseudonym", "r.occurred_at", cutoff)
    rows = con.execute(
        f"""select reason, count(distinct record) from (
          select record, {strongest_reason_sql("reason")} as reason from ({by_subject})
          group by record
          union all
          select r.{key}, 'retention' from {_stored(feed)} and {expired}
        )
        group by reason""",
        days | {"subjects": [s for s, _ in subjects], "reasons": [r for _, r in subjects]},
    ).fetchall()
    return dict(rows)


def _stored(feed: str, joined: str = "", on: str = "") -> str:
    """FROM ... WHERE of the stored rows `r` of days $first..$last, joined to `joined` (an
    aliased relation `s`) on `s.subject = r.<on>` when given."""
    join = f" join {joined} on s.subject = r.{on}" if joined else ""
    return f"{SCHEMA}.{feed} r{join} where r.delivery_day between $first and $last"


def expectation_failures(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> dict[str, Any]:
    """Run the Great Expectations suite of `feed` on the stored days; failed expectations.

    GX 1.x validates pandas frames, so the columns the suite needs are loaded as one.
    """
    from ingestion.expectations import validate_frame

    frame = con.execute(f"select * from {SCHEMA}.{feed} where {_DAYS}", [first, last]).df()
    return validate_frame(feed, frame)
