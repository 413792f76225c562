"""What must hold after ingestion, as plain functions over the warehouse and a day range.

They look only at what the policy could be broken by: free-text columns for personal data,
and stored records for subjects that opted out, were erased or have expired.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from ingestion.feeds import FEEDS
from ingestion.rules import ALMATY
from ingestion.warehouse import SCHEMA
from privacy.detect import find_personal_data
from privacy.suppression import suppression_digest_sql

# Columns that carry text from the website after scrubbing; pseudonyms, tokens and the site's
# own ids (UUIDs can hold long digit runs) are keyed or random and are not scanned.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("page_url", "referrer", "ip_network", "locale", "browser_family", "os_family"),
    "searches": (
        "query",
        "ip_network",
        "locale",
        "browser_family",
        "os_family",
        "filter_category",
        "filter_district",
        "filter_check_in",
        "filter_check_out",
    ),
}


def personal_data_findings(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> dict[str, dict[str, int]]:
    """Per column, how many distinct stored values of days `first..last` look like personal
    data, by kind (ip, email, phone, iin, card). Empty when all is well."""
    findings: dict[str, dict[str, int]] = {}
    for column in TEXT_COLUMNS[feed]:
        values = con.execute(
            f"select distinct {column} from {SCHEMA}.{feed} "
            f"where delivery_day between ? and ? and {column} is not null",
            [first, last],
        ).fetchall()
        kinds: dict[str, int] = {}
        for (value,) in values:
            for kind in find_personal_data(value):
                kinds[kind] = kinds.get(kind, 0) + 1
        if kinds:
            findings[column] = kinds
    return findings


def forbidden_records(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date, cutoff: date
) -> dict[str, int]:
    """Stored records of days `first..last` that belong to a suppressed subject (directly or
    through an anonymous id linked to one), or anonymous records older than `cutoff`."""
    suppressed = con.execute(
        f"""with stored as (
          select {FEEDS[feed].key} as record, user_pseudonym, anonymous_pseudonym
          from {SCHEMA}.{feed} where delivery_day between ? and ?
        ), present as (
          select distinct subject from (
            select user_pseudonym as subject from stored
            union all select anonymous_pseudonym from stored)
          where subject is not null
        ), suppressed as (
          select p.subject, s.reason from present p join {SCHEMA}.suppressed_subjects s
            on s.subject_digest = {suppression_digest_sql("p.subject")}
        ), subjects as (
          select subject, reason from suppressed
          union all
          select l.anonymous_pseudonym, s.reason
          from {SCHEMA}.identity_links l
          join {SCHEMA}.suppressed_subjects s
            on s.subject_digest = {suppression_digest_sql("l.user_pseudonym")}
        )
        select s.reason, count(distinct r.record)
        from stored r join subjects s
          on s.subject in (r.user_pseudonym, r.anonymous_pseudonym)
        group by s.reason""",
        [first, last],
    ).fetchall()
    counts = dict(suppressed)
    expired = con.execute(
        f"""select count(*) from {SCHEMA}.{feed}
        where delivery_day between ? and ? and user_pseudonym is null
          and timezone('{ALMATY}', occurred_at)::date < ?""",
        [first, last, cutoff],
    ).fetchone()[0]
    if expired:
        counts["retention"] = counts.get("retention", 0) + expired
    return counts


def expectation_failures(
    con: duckdb.DuckDBPyConnection, feed: str, first: date, last: date
) -> dict[str, Any]:
    """Run the Great Expectations suite of `feed` on the stored days; failed expectations.

    GX 1.x validates pandas frames, so the columns the suite needs are loaded as one.
    """
    from ingestion.expectations import validate_frame

    frame = con.execute(
        f"select * from {SCHEMA}.{feed} where delivery_day between ? and ?", [first, last]
    ).df()
    return validate_frame(feed, frame)
