"""The purge: every table of the warehouse brought in line with the privacy rules as they are now.

Ingestion keeps forbidden records out of the days it ingests; the purge removes what is
already stored once a rule changes: an erasure that is free to run, an analytics opt-out,
an account or anonymous record past retention (each subject with the anonymous ids seen
with it, as at ingestion), and it withdraws the personalization and marketing flags of
rows whose subject refuses them now. It works on every base table of the warehouse
that has a pseudonym column, whatever its schema (ingested, dbt's intermediate and marts),
so a table added later is covered without a change here.

What stays, and why: the suppression list and erasure requests hold digests only
(privacy/suppression.py); an opted-out subject's consent and account changes and identity
links stay, since they are what applies the opt-out to later deliveries (the feeds deliver
them again before every run anyway). An erased or expired subject loses those too.

Every change is counted per rule (and erasure request) and table in the append-only
`ingested.privacy_audit`; the Almaty days it removed rows of go to `ingested.purged_days`,
which the daily dbt models rebuild.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from ingestion.rules import create_consent_intervals, record_subject_list_sql
from ingestion.warehouse import SCHEMA
from privacy.consent import consent_at_time_sql, geolocation_allowed_sql, refused_now_sql
from privacy.days import almaty_day_sql
from privacy.retention import anonymous_day_expired_sql, retention_cutoff
from privacy.suppression import suppression_digest_sql, suppression_rank_sql

# Columns that hold a subject (a user or an anonymous visitor); rows holding a purged one go.
SUBJECT_COLUMNS = ("user_pseudonym", "anonymous_pseudonym", "subject_pseudonym")
# A listing's owner is the owner's personal data, the listing is not: the owner is cleared.
OWNER_COLUMN = "owner_pseudonym"
# Tables an opted-out subject keeps its rows in: they apply the opt-out to later deliveries,
# and the feeds deliver them again before every run.
KEPT_FOR_OPT_OUT = (
    f"{SCHEMA}.consent_changes",
    f"{SCHEMA}.account_changes",
    f"{SCHEMA}.identity_links",
)
# Usage tables whose rows tell which Almaty days the daily models must rebuild.
USAGE_TABLES = (f"{SCHEMA}.events", f"{SCHEMA}.searches")
FLAGS = {"personalization": "personalization_allowed", "marketing": "marketing_allowed"}
# The dbt mart the recommender trains on (`fct_user_listing_interactions`).
RECOMMENDER_INPUT = "marts.fct_user_listing_interactions"
# Columns a usage record is judged by against the consent history at its time.
RECORD_COLUMNS = ("occurred_at", "user_pseudonym", "anonymous_pseudonym")
# What the consent history at a record's time forbids in a stored usage record, by the rule it
# is audited under: (the verdict of `consent_at_time_sql` that forbids it, which rows still
# hold it, the update that clears it, the change the audit names).
HISTORY_CHANGES = {
    "personalization_refusal_interval": (
        "refused_personalization",
        "personalization_allowed",
        "set personalization_allowed = false",
        "flag_cleared",
    ),
    "marketing_refusal_interval": (
        "refused_marketing",
        "marketing_allowed",
        "set marketing_allowed = false",
        "flag_cleared",
    ),
    "geolocation_not_granted": (
        f"not {geolocation_allowed_sql('granted_geolocation', 'refused_geolocation')}",
        "geo_lat is not null or geo_lon is not null",
        "set geo_lat = null, geo_lon = null",
        "geo_cleared",
    ),
}


@dataclass
class PurgeResult:
    """What one purge did: Dagster metadata, the CLI line and the export clean-up's input."""

    purge_id: str
    purged_at: datetime
    # (rule, request_id or None, table, change) -> rows
    changes: dict[tuple[str, str | None, str, str], int] = field(default_factory=dict)
    requests_carried_out: list[str] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    # user pseudonym -> (rule, request id) for every user whose lists must leave the exports
    export_subjects: dict[str, tuple[str, str | None]] = field(default_factory=dict, repr=False)
    # the suppression list or the retired listings changed since the last purge
    rules_changed: bool = False

    @property
    def rows_removed(self) -> int:
        return sum(n for (_, _, _, change), n in self.changes.items() if change == "deleted")

    @property
    def needs_rewrite(self) -> bool:
        """Old values sit in the lake's files until they are rewritten: rows went, owners were
        cleared, or the rules changed (the privacy rules rebuild their tables)."""
        return self.rules_changed or any(
            rows
            for (_, _, _, change), rows in self.changes.items()
            if change in ("deleted", "owner_removed", "geo_cleared")
        )

    def totals(self) -> dict[str, int]:
        """Rows per rule and change, for metadata and the progress line."""
        totals: dict[str, int] = {}
        for (rule, _, _, change), rows in self.changes.items():
            totals[f"{rule}_{change}"] = totals.get(f"{rule}_{change}", 0) + rows
        return totals


def _tables_with(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> dict[str, list[str]]:
    """Base tables of the warehouse (not temp, not views) -> which of `columns` they have."""
    names = ", ".join(f"'{c}'" for c in columns)
    rows = con.execute(
        f"""select c.schema_name || '.' || c.table_name, list(c.column_name order by c.column_name)
        from duckdb_columns() c join duckdb_tables() t
          on t.database_name = c.database_name and t.schema_name = c.schema_name
          and t.table_name = c.table_name
        where c.database_name = current_database() and not t.temporary
          and c.column_name in ({names})
        group by all order by 1"""
    ).fetchall()
    return dict(rows)


def _find_subjects(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]]) -> None:
    """Temp table `purge_subjects(subject, rule, request_id, rank)`: every pseudonym stored
    anywhere that the suppression list names, and the anonymous ids seen with those users."""
    present = " union all ".join(
        f"select {column} as subject from {table}"
        for table, columns in tables.items()
        for column in columns
    )
    con.execute(
        f"""create or replace temp table purge_present as
        select distinct subject from ({present}) where subject is not null"""
    )
    con.execute(
        f"""create or replace temp table purge_subjects as
        with requests as (
          select user_digest as digest, min(request_id) as request_id
          from {SCHEMA}.erasure_requests where state = 'done' group by 1
          union all
          select subject_digest, min(request_id) from {SCHEMA}.erased_subjects group by 1
        ), direct as (
          select p.subject, s.reason as rule, r.request_id,
            {suppression_rank_sql("s.reason")} as rank
          from purge_present p
          join {SCHEMA}.suppressed_subjects s
            on s.subject_digest = {suppression_digest_sql("p.subject")}
          left join requests r on s.reason = 'erasure' and r.digest = s.subject_digest
        ), linked as (
          select l.anonymous_pseudonym as subject, d.rule, d.request_id, d.rank
          from {SCHEMA}.identity_links l join direct d on d.subject = l.user_pseudonym
        )
        select subject, arg_min(rule, rank) as rule, arg_min(request_id, rank) as request_id,
          min(rank) as rank
        from (select * from direct union all select * from linked)
        group by subject"""
    )


def _record(result: PurgeResult, rows: list[tuple], table: str, change: str) -> None:
    for rule, request_id, count in rows:
        if count:
            key = (rule, request_id, table, change)
            result.changes[key] = result.changes.get(key, 0) + count


def _remember_days(con: duckdb.DuckDBPyConnection, table: str, rows_sql: str) -> None:
    """Add the Almaty days of the usage rows `rows_sql` selects (rowids) to purged_days."""
    if table in USAGE_TABLES:
        con.execute(
            f"""insert into {SCHEMA}.purged_days
            select distinct {almaty_day_sql("occurred_at")} from {table}
            where rowid in ({rows_sql})
            except select day from {SCHEMA}.purged_days"""
        )


def _delete_subject_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], result: PurgeResult
) -> None:
    """Delete the rows of `table` holding a purged subject, counted under the best rule."""
    allowed = "" if table not in KEPT_FOR_OPT_OUT else "where rule <> 'analytics_opt_out'"
    hits = " union all ".join(
        f"""select t.rowid as row_id, s.rule, s.request_id, s.rank from {table} t
        join (select * from purge_subjects {allowed}) s on s.subject = t.{column}"""
        for column in columns
    )
    con.execute(
        f"""create or replace temp table purge_hits as
        select row_id, arg_min(rule, rank) as rule, arg_min(request_id, rank) as request_id
        from ({hits}) group by row_id"""
    )
    counts = con.execute(
        "select rule, request_id, count(*) from purge_hits group by all"
    ).fetchall()
    if counts:
        _remember_days(con, table, "select row_id from purge_hits")
        con.execute(f"delete from {table} where rowid in (select row_id from purge_hits)")
    _record(result, counts, table, "deleted")


def _clear_owners(con: duckdb.DuckDBPyConnection, table: str, result: PurgeResult) -> None:
    """A purged owner's listings stay, without their owner."""
    condition = f"""{OWNER_COLUMN} in (select subject from purge_subjects
      where rule <> 'analytics_opt_out')"""
    counts = con.execute(
        f"""select s.rule, s.request_id, count(*) from {table} t
        join purge_subjects s on s.subject = t.{OWNER_COLUMN}
        where {condition} group by all"""
    ).fetchall()
    con.execute(f"update {table} set {OWNER_COLUMN} = null where {condition}")
    _record(result, counts, table, "owner_removed")


def _delete_expired_anonymous(
    con: duckdb.DuckDBPyConnection, cutoff: date, result: PurgeResult
) -> None:
    """Anonymous records older than the retention cutoff, wherever they are kept per record
    (by moment) or per session (by day)."""
    with_users = _tables_with(con, ("user_pseudonym",))
    for table, columns in _tables_with(con, ("occurred_at", "session_date")).items():
        if table not in with_users:
            continue
        day = almaty_day_sql("occurred_at") if "occurred_at" in columns else "session_date"
        expired = (
            f"select rowid from {table} "
            f"where {anonymous_day_expired_sql('user_pseudonym', day, cutoff)}"
        )
        [(count,)] = con.execute(f"select count(*) from ({expired})").fetchall()
        if count:
            _remember_days(con, table, expired)
            con.execute(f"delete from {table} where rowid in ({expired})")
        _record(result, [("anonymous_retention", None, count)], table, "deleted")


def _withdraw_flags(con: duckdb.DuckDBPyConnection, result: PurgeResult) -> None:
    """Rows of subjects who refuse personalization or marketing now lose that flag (the
    refusal covers the user, its anonymous ids, and users seen with a refusing id)."""
    for scope, flag in FLAGS.items():
        con.execute(
            f"""create or replace temp table refusing_{scope} as
            with refusing as ({refused_now_sql("consent_intervals", scope)})
            select subject from refusing
            union select l.anonymous_pseudonym from {SCHEMA}.identity_links l
              join refusing r on r.subject = l.user_pseudonym
            union select l.user_pseudonym from {SCHEMA}.identity_links l
              join refusing r on r.subject = l.anonymous_pseudonym"""
        )
        for table in USAGE_TABLES:
            condition = f"""{flag} and (user_pseudonym in (select subject from refusing_{scope})
              or anonymous_pseudonym in (select subject from refusing_{scope}))"""
            [(count,)] = con.execute(f"select count(*) from {table} where {condition}").fetchall()
            if count:
                con.execute(f"update {table} set {flag} = false where {condition}")
            _record(result, [(f"{scope}_opt_out", None, count)], table, "flag_cleared")
    # The recommender input holds only subjects whose personalization consent is in force:
    # its rows go now, so no copy published before the models rebuild keeps them.
    if RECOMMENDER_INPUT in _tables_with(con, ("subject_pseudonym",)):
        condition = "subject_pseudonym in (select subject from refusing_personalization)"
        [(count,)] = con.execute(
            f"select count(*) from {RECOMMENDER_INPUT} where {condition}"
        ).fetchall()
        if count:
            con.execute(f"delete from {RECOMMENDER_INPUT} where {condition}")
        _record(result, [("personalization_opt_out", None, count)], RECOMMENDER_INPUT, "deleted")


def _judge_history(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Temp table `history_verdicts`: ingestion's consent verdict at each record's time, for
    the records of `table` that any subject with consent changes can concern (everyone else
    keeps the defaults ingestion gave them, so a purge with no changes judges few rows)."""
    con.execute(
        f"""create or replace temp table history_records as
        with consenting as (select distinct subject from consent_intervals),
        concerned as (
          select subject from consenting
          union select l.anonymous_pseudonym from {SCHEMA}.identity_links l
            join consenting c on c.subject = l.user_pseudonym
        )
        select rowid as row_key, occurred_at as ts, user_pseudonym as user_p,
          anonymous_pseudonym as anon_p
        from {table}
        where user_pseudonym in (select subject from concerned)
          or anonymous_pseudonym in (select subject from concerned)"""
    )
    subjects = (
        f"(select row_key as key, ts, subject from ({record_subject_list_sql('history_records')}))"
    )
    con.execute(
        "create or replace temp table history_verdicts as "
        + consent_at_time_sql(subjects, "consent_intervals")
    )


def _apply_history(con: duckdb.DuckDBPyConnection, result: PurgeResult) -> None:
    """Re-judge stored records against the consent history as it is now: a refusal delivered
    after the records made while it was in force (and re-granted since) still reaches them.
    Records made during an analytics refusal go; flags and geo the history forbids are cleared.
    """
    for table, columns in _tables_with(con, RECORD_COLUMNS).items():
        if len(columns) < len(RECORD_COLUMNS):
            continue
        _judge_history(con, table)
        refused = "select key from history_verdicts where refused_analytics"
        [(count,)] = con.execute(f"select count(*) from ({refused})").fetchall()
        if count:
            _remember_days(con, table, refused)
            con.execute(f"delete from {table} where rowid in ({refused})")
        _record(result, [("analytics_refusal_interval", None, count)], table, "deleted")
        if table not in USAGE_TABLES:
            continue
        for rule, (verdict, present, update, change) in HISTORY_CHANGES.items():
            condition = f"""({present}) and rowid in (
              select key from history_verdicts where {verdict})"""
            [(count,)] = con.execute(f"select count(*) from {table} where {condition}").fetchall()
            if count:
                con.execute(f"update {table} {update} where {condition}")
            _record(result, [(rule, None, count)], table, change)


def _export_subjects(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """Every subject whose lists must leave the recommendation exports, and why."""
    rows = con.execute(
        """select subject, rule, request_id from purge_subjects
        union all
        select subject, 'personalization_opt_out', null from refusing_personalization
        where subject not in (select subject from purge_subjects)"""
    ).fetchall()
    return {subject: (rule, request_id) for subject, rule, request_id in rows}


def _persist_erased_ids(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Anonymous ids of erased users stay suppressed once their identity links are gone."""
    con.execute(
        f"""insert into {SCHEMA}.erased_subjects
        select distinct {suppression_digest_sql("subject")}, request_id, ?::timestamptz
        from purge_subjects
        where rule = 'erasure' and request_id is not null
          and {suppression_digest_sql("subject")} not in (
            select user_digest from {SCHEMA}.erasure_requests
            union all select subject_digest from {SCHEMA}.erased_subjects)""",
        [now],
    )


def _requests_carried_out(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Erasure requests free to run that no purge has carried out yet."""
    rows = con.execute(
        f"""select request_id from {SCHEMA}.erasure_requests where state = 'done'
        except select request_id from {SCHEMA}.privacy_audit
        where rule = 'erasure' and change = 'carried_out'
        order by 1"""
    ).fetchall()
    return [row[0] for row in rows]


def purge_warehouse(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    retention_years: int,
    now: datetime,
    clean_exports: Callable[
        [Mapping[str, tuple[str, str | None]]], dict[tuple[str, str | None, str], int]
    ]
    | None = None,
) -> PurgeResult:
    """Purge the warehouse `con` writes, in one transaction, and append the audit.

    Runs after the privacy rules were refreshed (the suppression list is today's).
    `clean_exports(subjects)` removes those users from every recommendation export and
    returns rows removed per (rule, request id, file); it runs before the commit, so a
    failed purge leaves the audit without its rows rather than claiming what did not happen.
    """
    result = PurgeResult(purge_id=uuid.uuid4().hex, purged_at=now)
    con.execute("begin transaction")
    try:
        tables = _tables_with(con, SUBJECT_COLUMNS)
        _find_subjects(con, tables)
        result.requests_carried_out = _requests_carried_out(con)
        _persist_erased_ids(con, now)
        create_consent_intervals(con)
        _withdraw_flags(con, result)
        result.export_subjects = _export_subjects(con)
        for table, columns in tables.items():
            _delete_subject_rows(con, table, columns, result)
        _apply_history(con, result)
        for table in _tables_with(con, (OWNER_COLUMN,)):
            _clear_owners(con, table, result)
        _delete_expired_anonymous(con, retention_cutoff(as_of, retention_years), result)
        if clean_exports is not None:
            for (rule, request_id, file), rows in clean_exports(result.export_subjects).items():
                _record(result, [(rule, request_id, rows)], file, "export_rows_deleted")
        result.days = [
            row[0]
            for row in con.execute(f"select day from {SCHEMA}.purged_days order by day").fetchall()
        ]
        result.rules_changed = _note_rules(con)
        _append_audit(con, result)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _note_rules(con: duckdb.DuckDBPyConnection) -> bool:
    """Record a fingerprint of the suppression list and the retired listings; True when it
    differs from the one the last purge recorded."""
    [(fingerprint,)] = con.execute(
        f"""select md5(coalesce((select string_agg(subject_digest || reason, ','
              order by subject_digest, reason) from (
                select subject_digest, reason from {SCHEMA}.suppressed_subjects
                union select subject_digest, 'erasure' from {SCHEMA}.erased_subjects)), '')
          || '/' || coalesce((select string_agg(listing_id, ',' order by listing_id)
            from {SCHEMA}.listing_versions where is_retired), ''))"""
    ).fetchall()
    previous = con.execute(
        f"select value from {SCHEMA}.meta where key = 'purge_fingerprint'"
    ).fetchall()
    if previous != [(fingerprint,)]:  # the lake has no keys to replace a row by
        con.execute(f"delete from {SCHEMA}.meta where key = 'purge_fingerprint'")
        con.execute(f"insert into {SCHEMA}.meta values ('purge_fingerprint', ?)", [fingerprint])
    return previous != [(fingerprint,)]


def _append_audit(con: duckdb.DuckDBPyConnection, result: PurgeResult) -> None:
    """Rows of this purge: one per rule, request, table and change; a summary row per erasure
    request carried out; and a `none` row when the purge found nothing to do."""
    rows = [
        (rule, request_id, table, change, count)
        for (rule, request_id, table, change), count in sorted(
            result.changes.items(), key=lambda item: tuple(str(part) for part in item[0])
        )
    ]
    for request_id in result.requests_carried_out:
        total = sum(
            count
            for (rule, request, _, change), count in result.changes.items()
            if rule == "erasure" and request == request_id and change == "deleted"
        )
        rows.append(("erasure", request_id, None, "carried_out", total))
    if not rows:
        rows.append(("none", None, None, "carried_out", 0))
    con.executemany(
        f"insert into {SCHEMA}.privacy_audit values (?, ?, ?, ?, ?, ?, ?)",
        [(result.purge_id, result.purged_at, *row) for row in rows],
    )


def pending_purged_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Days a purge touched that the daily models have not rebuilt yet."""
    rows = con.execute(f"select distinct day from {SCHEMA}.purged_days order by day").fetchall()
    return [row[0] for row in rows]


def clear_purged_days(con: duckdb.DuckDBPyConnection, days: list[date]) -> None:
    """Once the daily models rebuilt `days`, they are no longer pending."""
    con.execute(f"delete from {SCHEMA}.purged_days where day in (select unnest(?))", [days])


def describe_purge(result: PurgeResult) -> str:
    """One progress line: what the purge removed or changed, by rule."""
    totals = result.totals()
    if not totals:
        return "purge: nothing to remove"
    parts = ", ".join(f"{key.replace('_', ' ')} {rows:,}" for key, rows in sorted(totals.items()))
    requests = len(result.requests_carried_out)
    suffix = f"; {requests} erasure request(s) carried out" if requests else ""
    return f"purge: {parts}; {len(result.days)} day(s) to rebuild{suffix}"
