"""The privacy rules in force, rebuilt from the privacy feeds and the catalog before every run.

Reading them again each time is what makes a backfill safe: an old day ingested today is
filtered by today's opt-outs, erasures and retention, never by the rules of its own day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.columns import REQUEST_ID
from ingestion.feeds import ACCOUNTS, CONSENT, ERASURE_REQUESTS, LISTINGS, Feed
from ingestion.guard import record_corrections
from ingestion.mapping import map_distinct
from ingestion.parse import correction_columns, correction_counts, correction_counts_sql
from ingestion.sources import load_feed, replace_quarantine
from ingestion.warehouse import SCHEMA
from privacy.consent import consent_intervals_sql, refused_now_sql
from privacy.listings import listing_retired_sql
from privacy.location import coarsen_location_sql
from privacy.pseudonyms import Pseudonymizer, derive_key, key_version
from privacy.retention import account_expired_sql, retention_cutoff
from privacy.suppression import suppression_digest_sql
from privacy.text import scrub_text


@dataclass(frozen=True)
class Keys:
    """Every key a run needs, derived once from the secret."""

    user: Pseudonymizer
    anonymous: Pseudonymizer
    device: Pseudonymizer
    reference: Pseudonymizer
    ip: bytes
    version: str


def derive_keys(secret: bytes) -> Keys:
    return Keys(
        user=Pseudonymizer(secret, "user"),
        anonymous=Pseudonymizer(secret, "anonymous"),
        device=Pseudonymizer(secret, "device"),
        reference=Pseudonymizer(secret, "reference"),
        ip=derive_key(secret, "ip"),
        version=key_version(secret),
    )


def map_pseudonyms(
    con: duckdb.DuckDBPyConnection, table: str, values_sql: str, pseudonymizer: Pseudonymizer
) -> None:
    """Temp table `table` (value, pseudonym) over the distinct non-null values of `values_sql`
    (one column), hashed by DuckDB on every core: a day holds over a hundred thousand ids.
    """
    pseudonym, parameters = pseudonymizer.sql("value")
    con.execute(
        f"""create or replace temp table {table} as
        select value, {pseudonym} as pseudonym
        from (select distinct v from ({values_sql}) as t(v) where v is not null) as d(value)""",
        parameters,
    )


def _rebuild(
    con: duckdb.DuckDBPyConnection, table: str, select_sql: str, parameters: dict | None = None
) -> int:
    con.execute(f"delete from {SCHEMA}.{table}")
    con.execute(f"insert into {SCHEMA}.{table} {select_sql}", parameters)
    return con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]


def _record_feed_corrections(
    con: duckdb.DuckDBPyConnection, feed: Feed, parsed: str, extra: dict[str, int] | None = None
) -> None:
    """Count what parsing corrected in the valid lines of append-only `feed`."""
    counts = {k: v for k, v in (extra or {}).items() if v}
    if correction_columns(feed):
        [row] = con.execute(
            f"select {correction_counts_sql(feed)} from {parsed} where reason is null"
        ).fetchall()
        counts |= correction_counts(feed, tuple(row))
    record_corrections(con, feed.name, None, "ingestion", counts)


def refresh_privacy_rules(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    keys: Keys,
    as_of: date,
    retention_years: int,
) -> dict[str, int]:
    """Rebuild consent, accounts, erasure requests and the suppression list; return counts.

    Runs inside the caller's transaction.
    """
    counts: dict[str, int] = {}
    parsed = {}
    for feed in (CONSENT, ACCOUNTS, ERASURE_REQUESTS):
        parsed[feed.name], _ = load_feed(con, landing_dir, feed)
        quarantined = replace_quarantine(con, feed, parsed[feed.name], None)
        counts[f"{feed.name}_quarantined"] = sum(quarantined.values())
    for feed in (CONSENT, ACCOUNTS):
        _record_feed_corrections(con, feed, parsed[feed.name])

    valid = " where reason is null"
    map_pseudonyms(
        con,
        "user_pseudonyms",
        f"select user_id from {parsed['consent']}{valid} union all "
        f"select user_id from {parsed['accounts']}{valid} union all "
        f"select user_id from {parsed['erasure_requests']}{valid}",
        keys.user,
    )
    map_pseudonyms(
        con,
        "anonymous_pseudonyms",
        f"select anonymous_id from {parsed['consent']}{valid}",
        keys.anonymous,
    )

    counts["consent_changes"] = _rebuild(
        con,
        "consent_changes",
        f"""select distinct subject, kind, ts, scope, granted from (
          select u.pseudonym as subject, 'user' as kind, c.ts, c.scope, c.granted
          from {parsed["consent"]} c join user_pseudonyms u on c.user_id = u.value
          where c.reason is null
          union all
          select a.pseudonym, 'anonymous', c.ts, c.scope, c.granted
          from {parsed["consent"]} c join anonymous_pseudonyms a on c.anonymous_id = a.value
          where c.reason is null)""",
    )
    create_consent_intervals(con)
    counts["account_changes"] = _rebuild(
        con,
        "account_changes",
        f"""select distinct u.pseudonym, a.ts, a.status
        from {parsed["accounts"]} a join user_pseudonyms u on a.user_id = u.value
        where a.reason is null""",
    )
    # A request id is the website's sequence number (`er_000017`); one of another form could
    # hold anything, so a keyed stand-in of it is kept instead, still one per request.
    reference, parameters = keys.reference.sql("e.request_id")
    counts["erasure_requests"] = _rebuild(
        con,
        "erasure_requests",
        f"""select request_id, user_digest, requested_at, outstanding, settled_at,
          case when not outstanding or settled_at is not null then 'done' else 'deferred' end,
          case when not outstanding then 'no outstanding obligations'
               when settled_at is not null then 'obligations settled'
               else 'outstanding obligations' end
        from (
          select
            case when regexp_full_match(e.request_id, '{REQUEST_ID}') then e.request_id
              else 'ref_' || left({reference}, 16) end as request_id,
            {suppression_digest_sql("arg_min(u.pseudonym, e.requested_at)")} as user_digest,
            min(e.requested_at) as requested_at,
            bool_or(e.outstanding_obligations) as outstanding,
            max(e.settled_at) as settled_at
          from {parsed["erasure_requests"]} e join user_pseudonyms u on e.user_id = u.value
          where e.reason is null
          group by e.request_id)""",
        parameters,
    )
    [(stand_ins,)] = con.execute(
        f"""select count(distinct request_id) from {parsed["erasure_requests"]}
        where reason is null and not regexp_full_match(request_id, '{REQUEST_ID}')"""
    ).fetchall()
    _record_feed_corrections(
        con, ERASURE_REQUESTS, parsed["erasure_requests"], {"request_id": stand_ins}
    )
    cutoff = retention_cutoff(as_of, retention_years)
    counts["suppressed_subjects"] = _rebuild(
        con,
        "suppressed_subjects",
        f"""select user_digest, 'erasure', coalesce(settled_at, requested_at)
        from {SCHEMA}.erasure_requests where state = 'done'
        union all
        select subject_digest, 'erasure', erased_at from {SCHEMA}.erased_subjects
        union all
        select {suppression_digest_sql("r.subject")}, 'analytics_opt_out', i.valid_from
        from ({refused_now_sql("consent_intervals", "analytics")}) r
        join consent_intervals i
          on i.subject = r.subject and i.scope = 'analytics' and i.valid_to is null
        union all
        select {suppression_digest_sql("user_pseudonym")}, 'retention', changed_at from (
          select user_pseudonym, arg_max(status, changed_at) as status,
            max(changed_at) as changed_at
          from {SCHEMA}.account_changes group by user_pseudonym)
        where {account_expired_sql("status", "changed_at", cutoff)}""",
    )
    # An erased or expired user's own history goes too; the request and the suppression
    # list remain, as digests.
    for table in ("consent_changes", "account_changes"):
        key = "subject_pseudonym" if table == "consent_changes" else "user_pseudonym"
        con.execute(
            f"""delete from {SCHEMA}.{table} where {suppression_digest_sql(key)} in (
              select subject_digest from {SCHEMA}.suppressed_subjects
              where reason in ('erasure', 'retention'))"""
        )
    return counts


def create_consent_intervals(con: duckdb.DuckDBPyConnection) -> None:
    """The temp view `consent_intervals` over the stored consent changes."""
    con.execute(
        "create or replace temp view consent_changes_now as select subject_pseudonym as subject, "
        f"changed_at as ts, scope, granted from {SCHEMA}.consent_changes"
    )
    con.execute(
        f"create or replace temp table consent_intervals as "
        f"{consent_intervals_sql('consent_changes_now')}"
    )


def record_subject_list_sql(records: str) -> str:
    """`(row_key, ts, subject)`: every subject a record belongs to, for judging its consent.

    `records` has columns `row_key, ts, user_p, anon_p`; a record belongs to its user, its
    anonymous id and every user that id appears with. Ingestion and the purge both judge
    records through this, so a record is judged the same whenever it is judged.
    """
    return f"""
select row_key, ts, user_p as subject from {records} where user_p is not null
union all select row_key, ts, anon_p from {records}
union all select r.row_key, r.ts, l.user_pseudonym
from (
  select distinct anonymous_pseudonym, user_pseudonym from {SCHEMA}.identity_links
) l join {records} r on l.anonymous_pseudonym = r.anon_p"""


def refresh_listings(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, keys: Keys, as_of: date
) -> dict[str, int]:
    """Rebuild listing versions: owners pseudonymized (and left out once erased or expired),
    contact details never stored, and a listing deleted or past its posting period kept as its
    id and category only (policy 4.1).
    """
    parsed, _ = load_feed(con, landing_dir, LISTINGS)
    quarantined = replace_quarantine(con, LISTINGS, parsed, None)
    _record_feed_corrections(con, LISTINGS, parsed)
    valid = f"select * from {parsed} where reason is null"
    map_pseudonyms(con, "owner_pseudonyms", f"select owner_user_id from ({valid})", keys.user)
    map_distinct(
        con,
        "scrubbed_titles",
        f"select title from ({valid})",
        lambda values: {"scrubbed": [scrub_text(v) for v in values]},
        {"scrubbed": pa.string()},
    )
    # A listing's place can be someone's home: kept on the ~1 km grid, like devices'.
    lat, lon = coarsen_location_sql("v.lat", "v.lon")
    stored = _rebuild(
        con,
        "listing_versions",
        f"""with current_version as (
          select listing_id,
            arg_max(deleted_at, updated_at) as deleted_at,
            arg_max(expires_at, updated_at) as expires_at
          from ({valid}) group by listing_id
        ), retired as (
          select listing_id from current_version
          where {listing_retired_sql("deleted_at", "expires_at", as_of)}
        )
        select distinct v.listing_id, v.updated_at, v.category,
          case when r.listing_id is null then t.scrubbed end,
          case when r.listing_id is null then v.district end,
          case when r.listing_id is null then {lat} end,
          case when r.listing_id is null then {lon} end,
          case when r.listing_id is null then v.price_kzt end,
          case when r.listing_id is null and {suppression_digest_sql("o.pseudonym")} not in (
              select subject_digest from {SCHEMA}.suppressed_subjects
              where reason in ('erasure', 'retention'))
            then o.pseudonym end,
          case when r.listing_id is null then v.posted_at end,
          case when r.listing_id is null then v.expires_at end,
          case when r.listing_id is null then v.deleted_at end,
          case when r.listing_id is null then v.promoted_until end,
          r.listing_id is not null
        from ({valid}) v
        left join retired r using (listing_id)
        left join owner_pseudonyms o on v.owner_user_id = o.value
        left join scrubbed_titles t on v.title = t.value""",
    )
    return {"listing_versions": stored, "listings_quarantined": sum(quarantined.values())}
