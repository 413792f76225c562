"""Ingesting one delivery day of the usage feeds (events and searches), all rules applied.

The day is replaced in one transaction: the same landing files give the same rows however
often, and in whatever order of days, they are ingested. A record delivered on several days
belongs to the earliest of them. Before the transaction commits, the guard
(`ingestion.guard`) scans the day's stored rows with the blocking checks' own functions.

For speed, a day's lines are materialized once (`parsed_<feed>`); every rule runs on distinct
values only: pseudonyms and plain IPv4 addresses in DuckDB, the rest in Python in a worker
thread while DuckDB goes on with the day; and consent and suppression are judged only for
the few records whose subjects appear in the consent feed or the suppression list at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.feeds import EVENTS, SEARCHES, Feed
from ingestion.guard import guard_day, record_corrections
from ingestion.lines import LandingFileError, read_landing_files, recorded_files
from ingestion.mapping import PendingMap, finish_map, start_map
from ingestion.parse import correction_counts, correction_counts_sql
from ingestion.rules import (
    Keys,
    create_consent_intervals,
    map_pseudonyms,
    record_subject_list_sql,
)
from ingestion.sources import load_feed, replace_quarantine
from ingestion.warehouse import SCHEMA
from landing.contract import BAD_IP, feed_files, plausible_window
from privacy.consent import (
    consent_at_time_sql,
    geolocation_allowed_sql,
    refused_now_sql,
    use_allowed_sql,
)
from privacy.days import almaty_day_sql
from privacy.location import coarsen_location_sql
from privacy.network import (
    client_address,
    day_key,
    ip_network_of,
    ip_token,
    ipv4_network_sql,
    ipv4_token_sql,
    plain_ipv4_client_sql,
)
from privacy.pseudonyms import hmac_pads
from privacy.retention import anonymous_record_expired_sql, retention_cutoff
from privacy.suppression import (
    strongest_reason_sql,
    suppression_digest_sql,
    suppression_rank_sql,
)
from privacy.text import scrub_query, scrub_url
from privacy.user_agent import describe_user_agent

USAGE_FEEDS = (EVENTS, SEARCHES)


@dataclass
class DayResult:
    """What happened to one delivery day of one feed: Dagster metadata and the CLI summary."""

    feed: str
    day: date
    files: int = 0
    read: int = 0
    stored: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    # values outside their class, mapped to its fallback, per column
    corrected: dict[str, int] = field(default_factory=dict)
    # values the guard corrected before the commit (none unless a rule let them through)
    guarded: dict[str, int] = field(default_factory=dict)


def _addresses_in_python(
    values: list[tuple[str, str | None, date]], day_keys: dict[date, bytes]
) -> tuple[list[str | None], list[str | None]]:
    """Client network and day token (None if not an address) of each (ip, x_forwarded_for,
    ip_day), in Python: for the few addresses DuckDB leaves (see `_map_addresses`).
    """
    networks: list[str | None] = []
    tokens: list[str | None] = []
    for ip, forwarded, day in values:
        try:
            address = client_address(ip, None)  # the edge's own address must be one too
            if forwarded:
                address = client_address(ip, forwarded)
        except ValueError:
            networks.append(None)
            tokens.append(None)
            continue
        networks.append(ip_network_of(address))
        tokens.append(ip_token(day_keys[day], address))
    return networks, tokens


def _same_address(left: str, right: str) -> str:
    """Join condition of two relations with columns ip, x_forwarded_for and ip_day."""
    return (
        f"{left}.ip = {right}.ip and {left}.ip_day = {right}.ip_day "
        f"and {left}.x_forwarded_for is not distinct from {right}.x_forwarded_for"
    )


def _map_addresses(con: duckdb.DuckDBPyConnection, feed: Feed, ip_key: bytes) -> None:
    """`map_ip_<feed>`: network and day token (NULL if not an address) per distinct
    (ip, x_forwarded_for, ip_day); records join it on `_same_address`.

    DuckDB maps the plain IPv4 addresses, nearly all of them, on every core; the Python
    rule the rest, so each address is judged by the same rules as `client_address`.
    """
    name = feed.name
    con.execute(
        f"""create or replace temp table ip_keys as
        select distinct ip, x_forwarded_for, ip_day from parsed_{name} where reason is null"""
    )
    day_keys = {
        day: day_key(ip_key, day)
        for (day,) in con.execute("select distinct ip_day from ip_keys").fetchall()
    }
    pads = [hmac_pads(key) for key in day_keys.values()]
    con.register(
        "ip_day_keys",
        pa.table(
            {
                "ip_day": pa.array(list(day_keys), pa.date32()),
                "inner_key": pa.array([inner for inner, _ in pads], pa.binary()),
                "outer_key": pa.array([outer for _, outer in pads], pa.binary()),
            }
        ),
    )
    address = plain_ipv4_client_sql("ip", "coalesce(x_forwarded_for, '')")
    try:
        con.execute(
            f"""create or replace temp table map_ip_{name} as
            select ip, x_forwarded_for, ip_day, {ipv4_network_sql("address")} as network,
              {ipv4_token_sql("address", "d.inner_key", "d.outer_key")} as token
            from (select *, {address} as address from ip_keys) k
            join ip_day_keys d using (ip_day)
            where address is not null"""
        )
    finally:
        con.unregister("ip_day_keys")
    rest = con.execute(
        f"""select k.ip, k.x_forwarded_for, k.ip_day from ip_keys k
        anti join map_ip_{name} m on {_same_address("k", "m")}"""
    ).fetchall()
    networks, tokens = _addresses_in_python(rest, day_keys)
    con.from_arrow(
        pa.table(
            {
                "ip": pa.array([ip for ip, _, _ in rest], pa.string()),
                "x_forwarded_for": pa.array([fwd for _, fwd, _ in rest], pa.string()),
                "ip_day": pa.array([day for _, _, day in rest], pa.date32()),
                "network": pa.array(networks, pa.string()),
                "token": pa.array(tokens, pa.string()),
            }
        )
    ).insert_into(f"map_ip_{name}")


# Typed, so a day without user agents maps none, not columns of DuckDB's null type.
_USER_AGENT_TYPES = {
    "browser_family": pa.string(),
    "browser_major": pa.string(),
    "os_family": pa.string(),
    "device_class": pa.string(),
    "is_bot": pa.bool_(),
}


def _user_agents(values: list[str]) -> dict[str, list]:
    infos = [describe_user_agent(v) for v in values]
    return {
        "browser_family": [i.browser_family for i in infos],
        "browser_major": [i.browser_major for i in infos],
        "os_family": [i.os_family for i in infos],
        "device_class": [i.device_class for i in infos],
        "is_bot": [i.is_bot for i in infos],
    }


def _valid(feed: Feed) -> str:
    """The rows of `parsed_<feed>` that may be stored if no rule drops them: once the day's
    addresses are judged, a quarantined line has its reason, a bad address included.
    """
    return f"(select * from parsed_{feed.name} where reason is null)"


def _parse_day(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    feed: Feed,
    day: date,
    result: DayResult,
) -> list[tuple[str, int]]:
    """Parse the day's files once and note the copies of a record; returns the files read."""
    name = feed.name
    _, files = load_feed(
        con,
        landing_dir,
        feed,
        day,
        f", {almaty_day_sql('ts')} as ip_day",
        plausible_window(day),
    )
    # Copies of a record within the day: all but the first (by file, then line, which is
    # the order of row_key) are dropped.
    con.execute(
        f"""create or replace temp table copies_{name} as
        with copied as (
          select {feed.key}, min(row_key) as first_row_key from parsed_{name}
          where reason is null group by {feed.key} having count(*) > 1
        )
        select p.row_key from parsed_{name} p join copied c using ({feed.key})
        where p.reason is null and p.row_key <> c.first_row_key"""
    )
    result.files = len(files)
    result.read = con.execute(f"select count(*) from parsed_{name}").fetchall()[0][0]
    return files


def _parsed_values(column: str, feeds: tuple[Feed, ...] = USAGE_FEEDS) -> str:
    """SQL for `column` of every line of `feeds` that parsed. Those later quarantined for
    their address only add map entries nothing looks up.
    """
    return " union all ".join(
        f"select {column} from parsed_{f.name} where reason is null" for f in feeds
    )


def _start_rules(con: duckdb.DuckDBPyConnection, rules: Executor) -> dict[str, PendingMap]:
    """Start the day's Python rules (user agents and free text) in `rules`, in the order
    their maps are needed; DuckDB goes on with the rest of the day meanwhile.
    """
    maps = [
        ("map_user_agent", _parsed_values("user_agent"), _user_agents, _USER_AGENT_TYPES),
        (
            "map_url",
            f"{_parsed_values('page_url', (EVENTS,))} union all "
            f"{_parsed_values('referrer', (EVENTS,))}",
            _scrubbed(scrub_url),
            {"scrubbed": pa.string()},
        ),
        (
            "map_query",
            _parsed_values("query", (SEARCHES,)),
            _scrubbed(scrub_query),
            {"scrubbed": pa.string()},
        ),
    ]
    return {
        table: start_map(con, table, values_sql, rule, types, rules)
        for table, values_sql, rule, types in maps
    }


def _map_identifiers(con: duckdb.DuckDBPyConnection, keys: Keys) -> None:
    """`map_user_id`, `map_anonymous_id`, `map_device_id`: the day's pseudonyms."""
    for column, pseudonymizer in (
        ("user_id", keys.user),
        ("anonymous_id", keys.anonymous),
        ("device_id", keys.device),
    ):
        map_pseudonyms(con, f"map_{column}", _parsed_values(column), pseudonymizer)


def _finish_maps(
    con: duckdb.DuckDBPyConnection, pending: dict[str, PendingMap], *tables: str
) -> None:
    """Wait for these maps' rules (those not finished yet) and create their tables."""
    for table in tables:
        if table in pending:
            finish_map(con, pending.pop(table))


def _quarantine_day(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    day: date,
    files: list[tuple[str, int]],
    result: DayResult,
) -> None:
    """Quarantine the day's bad lines and the lines whose address is not an IP; the latter
    get that reason in `parsed_<feed>` (a few rows updated), so no later statement of the day
    has to leave them out again.
    """
    name = feed.name
    con.execute(
        f"""update parsed_{name} p set reason = '{BAD_IP}'
        from (select * from map_ip_{name} where network is null) m
        where p.reason is null and {_same_address("p", "m")}"""
    )
    result.quarantined = replace_quarantine(con, feed, f"parsed_{name}", day)
    _replace_day_rows(con, "landing_files", name, day, files)


def _replace_day_rows(
    con: duckdb.DuckDBPyConnection, table: str, feed: str, day: date, rows: list[tuple]
) -> None:
    """Replace bookkeeping rows (feed, day, *row) of `table` for one feed and day."""
    con.execute(f"delete from {SCHEMA}.{table} where feed = ? and delivery_day = ?", [feed, day])
    for row in rows:
        placeholders = ", ".join("?" for _ in range(len(row) + 2))
        con.execute(f"insert into {SCHEMA}.{table} values ({placeholders})", [feed, day, *row])


def _day_links_sql() -> str:
    """(user_pseudonym, anonymous_pseudonym) of the day's valid records of both feeds; the
    distinct raw pairs first, so the maps are joined to thousands of rows, not millions.
    """
    pairs = " union all ".join(
        f"select user_id, anonymous_id from {_valid(f)}" for f in USAGE_FEEDS
    )
    return f"""select u.pseudonym as user_pseudonym, a.pseudonym as anonymous_pseudonym
    from (select distinct user_id, anonymous_id from ({pairs}) where user_id is not null) v
    join map_user_id u on u.value = v.user_id
    join map_anonymous_id a on a.value = v.anonymous_id"""


def _flag_watched(con: duckdb.DuckDBPyConnection) -> None:
    """After the day's links are known: which pseudonyms need judging record by record.

    A subject with consent changes or on the suppression list, and every anonymous id that
    appears with such a user on any day; everyone else keeps the defaults.

    `suppressed_pseudonyms` keeps, of every subject a record of the day can belong to (see
    `record_subject_list_sql`), those on the suppression list with their strongest reason
    and its rank: a digest per distinct pseudonym, not per record and subject.
    """
    con.execute(
        f"""create or replace temp table suppressed_pseudonyms as
        select subject, {strongest_reason_sql("reason")} as reason,
          min({suppression_rank_sql("reason")}) as rank from (
          select d.pseudonym as subject, p.reason
          from (
            select pseudonym from map_user_id union select pseudonym from map_anonymous_id
            union select user_pseudonym from {SCHEMA}.identity_links
          ) d
          join {SCHEMA}.suppressed_subjects p
            on p.subject_digest = {suppression_digest_sql("d.pseudonym")}
        )
        group by subject"""
    )
    con.execute(
        f"""create or replace temp table watched as
        with subjects as (
          select subject from consent_intervals union select subject from suppressed_pseudonyms
        )
        select subject from subjects
        union select l.anonymous_pseudonym from {SCHEMA}.identity_links l
        join subjects s on s.subject = l.user_pseudonym"""
    )


def _replace_links(con: duckdb.DuckDBPyConnection, day: date, pairs_sql: str) -> None:
    """Identity links of delivery day `day` from `pairs_sql` (user_pseudonym, anon pseudonym)."""
    con.execute(f"delete from {SCHEMA}.identity_links where delivery_day = ?", [day])
    con.execute(
        f"""insert into {SCHEMA}.identity_links
        select distinct ?, anonymous_pseudonym, user_pseudonym from ({pairs_sql})""",
        [day],
    )


def record_links(con: duckdb.DuckDBPyConnection, landing_dir: Path, day: date, keys: Keys) -> None:
    """Record which anonymous ids appear with which users on `day`, before any day is judged.

    A backfill judges its first day with the links of its later days too, so one run gives
    the same result as ingesting the days in any order. Any JSON line counts (a superset of
    the valid records: more cover is the safe side); the day's own ingestion narrows it.
    """
    for feed in USAGE_FEEDS:
        files = feed_files(landing_dir, feed.name, day)
        con.register(
            f"link_lines_{feed.name}", read_landing_files(recorded_files(landing_dir, files))
        )
    pairs = " union all ".join(
        f"""select json_extract_string(t, '$.user_id') as u,
          json_extract_string(t, '$.anonymous_id') as a
        from (select line as t from link_lines_{f.name}) where json_valid(t)"""
        for f in USAGE_FEEDS
    )
    con.execute(
        f"create or replace temp table day_pairs as select * from ({pairs}) "
        "where u is not null and a is not null"
    )
    for feed in USAGE_FEEDS:
        con.unregister(f"link_lines_{feed.name}")
    map_pseudonyms(con, "map_link_user", "select u from day_pairs", keys.user)
    map_pseudonyms(con, "map_link_anon", "select a from day_pairs", keys.anonymous)
    _replace_links(
        con,
        day,
        """select u.pseudonym as user_pseudonym, a.pseudonym as anonymous_pseudonym
        from day_pairs p join map_link_user u on u.value = p.u
        join map_link_anon a on a.value = p.a""",
    )


def _judge_watched(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """`judged_<feed>`: consent and suppression of the records whose subjects are watched.

    A record belongs to its user, its anonymous id and every user that id appears with.
    """
    name = feed.name
    con.execute(
        f"""create or replace temp table record_subjects as
        select v.row_key, v.ts, u.pseudonym as user_p, a.pseudonym as anon_p
        from (
          select * from {_valid(feed)}
          where user_id in (
              select value from map_user_id where pseudonym in (select subject from watched))
             or anonymous_id in (
              select value from map_anonymous_id where pseudonym in (select subject from watched))
        ) v
        left join map_user_id u on u.value = v.user_id
        join map_anonymous_id a on a.value = v.anonymous_id"""
    )
    con.execute(
        "create or replace temp table record_subject_list as "
        + record_subject_list_sql("record_subjects")
    )
    flags = consent_at_time_sql(
        "(select row_key as key, ts, subject from record_subject_list)", "consent_intervals"
    )
    refused_now = {
        scope: f"(select subject from ({refused_now_sql('consent_intervals', scope)}))"
        for scope in ("personalization", "marketing")
    }
    con.execute(
        f"""create or replace temp table judged_{name} as
        with suppressed as (
          select s.row_key, arg_min(p.reason, p.rank) as reason
          from record_subject_list s join suppressed_pseudonyms p using (subject)
          group by s.row_key
        ), now_refused as (
          select row_key,
            bool_or(subject in {refused_now["personalization"]}) as personalization,
            bool_or(subject in {refused_now["marketing"]}) as marketing
          from record_subject_list group by row_key
        )
        select c.key as row_key,
          coalesce(s.reason, case when c.refused_analytics then 'analytics_opt_out' end)
            as subject_drop,
          c.refused_personalization as personalization_refused_then,
          n.personalization as personalization_refused_now,
          c.refused_marketing as marketing_refused_then,
          n.marketing as marketing_refused_now,
          {geolocation_allowed_sql("c.granted_geolocation", "c.refused_geolocation")}
            as geo_allowed
        from ({flags}) c
        left join suppressed s on s.row_key = c.key
        left join now_refused n on n.row_key = c.key"""
    )


_SPECIFIC: dict[str, tuple[str, str]] = {
    # feed -> (select list of its own columns, joins they need)
    "events": (
        """v.event_id, v.event_type, page.scrubbed as page_url, ref.scrubbed as referrer,
        v.listing_id, v.search_id, v.amount_kzt""",
        """left join map_url page on page.value = v.page_url
        left join map_url ref on ref.value = v.referrer""",
    ),
    "searches": (
        """v.search_id, q.scrubbed as query, v.filters.category as filter_category,
        v.filters.district as filter_district, v.filters.check_in as filter_check_in,
        v.filters.check_out as filter_check_out, v.filters.guests as filter_guests,
        v.filters.price_min_kzt as filter_price_min_kzt,
        v.filters.price_max_kzt as filter_price_max_kzt, v.results_count,
        v.result_listing_ids""",
        "left join map_query q on q.value = v.query",
    ),
}


def _scrubbed(scrub: Callable[[str], str | None]) -> Callable[[list[str]], dict[str, list]]:
    """A rule scrubbing each distinct text with `scrub`."""
    return lambda values: {"scrubbed": [scrub(v) for v in values]}


def _allowed(scope: str) -> str:
    """Whether stored row `v` (judged in `j`) may serve `scope` (personalization, marketing)."""
    return use_allowed_sql(f"j.{scope}_refused_then", f"j.{scope}_refused_now", "v.gpc")


def _drops(con: duckdb.DuckDBPyConnection, feed: Feed, cutoff: date) -> None:
    """`dropped_<feed>` (row_key, reason): the valid rows of the day that are not stored, and
    why (a copy first, then the strongest subject rule, then anonymous retention). Built from
    the few candidates of each reason, so neither the insert nor the counts join every row
    to every verdict."""
    name = feed.name
    con.execute(
        f"""create or replace temp table dropped_{name} as
        select row_key, arg_min(reason, rank) as reason from (
          select row_key, 'duplicate' as reason, 1 as rank from copies_{name}
          union all
          select v.row_key, 'duplicate', 1 from {_valid(feed)} v
          semi join earlier_{name} e using ({feed.key})
          union all
          select row_key, subject_drop, 2 from judged_{name} where subject_drop is not null
          union all
          select v.row_key, 'retention', 3 from {_valid(feed)} v
          where {anonymous_record_expired_sql("v.user_id", "v.ts", cutoff)}
        )
        group by row_key"""
    )


def _store(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    day: date,
    keys: Keys,
    cutoff: date,
    result: DayResult,
    pending: dict[str, PendingMap],
) -> None:
    """Judge the day's valid rows and replace the day's stored rows with what may be kept."""
    name = feed.name
    _judge_watched(con, feed)
    con.execute(
        f"""create or replace temp table earlier_{name} as
        select {feed.key} from {SCHEMA}.{name}
        where delivery_day < ? and {feed.key} in (select {feed.key} from parsed_{name})""",
        [day],
    )
    _finish_maps(con, pending, "map_user_agent", "map_url" if feed is EVENTS else "map_query")
    specific_columns, specific_joins = _SPECIFIC[name]
    geo_lat, geo_lon = coarsen_location_sql("v.geo.lat", "v.geo.lon")
    _drops(con, feed, cutoff)
    con.execute(f"delete from {SCHEMA}.{name} where delivery_day = ?", [day])
    (result.stored,) = con.execute(
        f"""insert into {SCHEMA}.{name} by name
        select '{day.isoformat()}'::date as delivery_day, v.ts as occurred_at,
          u.pseudonym as user_pseudonym, a.pseudonym as anonymous_pseudonym,
          d.pseudonym as device_pseudonym, m.network as ip_network, m.token as ip_token,
          coalesce(ua.browser_family, 'Other') as browser_family,
          ua.browser_major, coalesce(ua.os_family, 'Other') as os_family,
          coalesce(ua.device_class, 'unknown') as device_class,
          coalesce(ua.is_bot, false) as is_bot,
          v.app, v.locale, coalesce(v.gpc, false) as gpc,
          case when j.geo_allowed then {geo_lat} end as geo_lat,
          case when j.geo_allowed then {geo_lon} end as geo_lon,
          {_allowed("personalization")} as personalization_allowed,
          {_allowed("marketing")} as marketing_allowed,
          '{keys.version}' as key_version,
          {specific_columns}
        from {_valid(feed)} v
        anti join dropped_{name} using (row_key)
        left join judged_{name} j using (row_key)
        join map_ip_{name} m on {_same_address("v", "m")}
        left join map_user_id u on u.value = v.user_id
        join map_anonymous_id a on a.value = v.anonymous_id
        left join map_device_id d on d.value = v.device_id
        left join map_user_agent ua on ua.value = v.user_agent
        {specific_joins}"""
    ).fetchone()
    # The same record delivered again later belongs to this earlier day now.
    con.execute(
        f"""delete from {SCHEMA}.{name} where delivery_day > ?
        and {feed.key} in (select {feed.key} from parsed_{name})""",
        [day],
    )
    # What was dropped, by reason, and what the stored rows had corrected, by column.
    result.dropped = dict(
        con.execute(f"select reason, count(*) from dropped_{name} group by reason").fetchall()
    )
    [corrected] = con.execute(
        f"select {correction_counts_sql(feed)} from {_valid(feed)} v "
        f"anti join dropped_{name} using (row_key)"
    ).fetchall()
    result.corrected = correction_counts(feed, tuple(corrected))
    _replace_day_rows(con, "ingestion_drops", name, day, list(result.dropped.items()))


def ingest_day(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    day: date,
    keys: Keys,
    as_of: date,
    retention_years: int,
) -> list[DayResult]:
    """Replace delivery day `day` of events and searches, in one transaction.

    Both feeds are read before either is judged, so an anonymous id that appears with a user
    in either feed is covered by that user's consent and erasure in both.
    """
    results = [DayResult(feed.name, day) for feed in USAGE_FEEDS]
    rules = ThreadPoolExecutor(max_workers=1, thread_name_prefix="privacy-rules")
    with _joins_as_written(con):
        con.execute("begin transaction")
        try:
            create_consent_intervals(con)
            files = [
                _parse_day(con, landing_dir, feed, day, result)
                for feed, result in zip(USAGE_FEEDS, results, strict=True)
            ]
            pending = _start_rules(con, rules)
            for feed, result, feed_files_read in zip(USAGE_FEEDS, results, files, strict=True):
                _map_addresses(con, feed, keys.ip)
                _quarantine_day(con, feed, day, feed_files_read, result)
            _map_identifiers(con, keys)
            _replace_links(con, day, _day_links_sql())
            _flag_watched(con)
            cutoff = retention_cutoff(as_of, retention_years)
            for feed, result in zip(USAGE_FEEDS, results, strict=True):
                _store(con, feed, day, keys, cutoff, result, pending)
            for feed, result in zip(USAGE_FEEDS, results, strict=True):
                result.guarded = guard_day(con, feed.name, day, cutoff, rules)
                record_corrections(con, feed.name, day, "ingestion", result.corrected)
                record_corrections(con, feed.name, day, "guard", result.guarded)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            rules.shutdown(cancel_futures=True)
    return results


@dataclass
class IngestedDays:
    """What a run of delivery days did: a result per feed and day ingested, and the days
    whose files could not be read, with the error naming the file."""

    results: list[DayResult] = field(default_factory=list)
    unread: dict[date, LandingFileError] = field(default_factory=dict)


def ingest_days(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    days: list[date],
    keys: Keys,
    as_of: date,
    retention_years: int,
    on_day: Callable[[list[DayResult]], None] = lambda results: None,
    on_unread: Callable[[date, LandingFileError], None] = lambda day, error: None,
) -> IngestedDays:
    """Ingest `days` in order, each in its own transaction: `almaty run`, the Dagster asset,
    the benchmarks and the tests all ingest through here.

    The later days' identity links are recorded first, so the first day is judged with the
    links of the whole run: one run gives what ingesting the days in any order would. A day
    whose files cannot be read fails alone (`on_unread`, which may raise to stop the run),
    keeps what it held, and the others go on. `on_day` hears each day's results as it
    commits.
    """
    ingested = IngestedDays()

    def unread(day: date, error: LandingFileError) -> None:
        ingested.unread[day] = error
        on_unread(day, error)

    for day in days[1:]:
        try:
            record_links(con, landing_dir, day, keys)
        except LandingFileError as error:
            unread(day, error)
    for day in days:
        if day in ingested.unread:
            continue  # its files were found unreadable just now
        try:
            day_results = ingest_day(con, landing_dir, day, keys, as_of, retention_years)
        except LandingFileError as error:
            unread(day, error)
            continue
        ingested.results += day_results
        on_day(day_results)
    return ingested


@contextmanager
def _joins_as_written(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run joins in the order written: the day's rows on the probe side, the small maps built.

    DuckDB estimates the day's filtered rows at about 1 % of their number, so it would build
    hash tables over a million wide rows instead (measured: 5x slower, 3.8 GB peak for 1 M).
    Every statement of a day is written with its large input first.
    """
    con.execute("set disabled_optimizers = 'join_order,build_side_probe_side'")
    try:
        yield
    finally:
        con.execute("reset disabled_optimizers")


def describe_day(result: DayResult) -> str:
    """One progress line for a delivery day, as the CLI and the Dagster log show it."""
    line = (
        f"{result.feed} {result.day}: {result.files} files, read {result.read:,}, "
        f"stored {result.stored:,}"
    )
    for label, counts in (
        ("quarantined", result.quarantined),
        ("dropped", result.dropped),
        ("corrected", result.corrected),
        ("corrected by the guard", result.guarded),
    ):
        if counts:
            parts = ", ".join(f"{reason} {n:,}" for reason, n in sorted(counts.items()))
            line += f", {label} {sum(counts.values()):,} ({parts})"
    return line


def summarize(results: list[DayResult]) -> dict[str, int]:
    """Totals over days: records read, stored, and quarantined or dropped per reason."""
    totals = {"days": len(results), "files": 0, "read": 0, "stored": 0}
    for result in results:
        totals["files"] += result.files
        totals["read"] += result.read
        totals["stored"] += result.stored
        for prefix, counts in (
            ("quarantined", result.quarantined),
            ("dropped", result.dropped),
            ("corrected", result.corrected),
            ("guarded", result.guarded),
        ):
            for reason, n in counts.items():
                totals[f"{prefix}_{reason}"] = totals.get(f"{prefix}_{reason}", 0) + n
    return totals
