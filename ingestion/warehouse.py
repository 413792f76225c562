"""The warehouse's tables, and the one way ingestion opens it (a DuckLake: ingestion/lake.py).

Everything ingestion writes lives in the schema `ingested`; dbt builds on it. No table holds
a raw identifier, address, user agent, location or free text: every column has a privacy
class (`ingestion.columns`) that says what it may hold, and ingestion enforces it.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from almaty.errors import AlmatyError
from ingestion.lake import check_lake_folder, connect_lake, partition_by_day

SCHEMA = "ingested"

# Columns both usage feeds share after pseudonymization.
_COMMON = """
  delivery_day date not null,
  occurred_at timestamptz not null,
  user_pseudonym varchar,
  anonymous_pseudonym varchar not null,
  device_pseudonym varchar,
  ip_network varchar not null,
  ip_token varchar not null,
  browser_family varchar not null,
  browser_major varchar,
  os_family varchar not null,
  device_class varchar not null,
  is_bot boolean not null,
  app varchar not null,
  locale varchar,
  gpc boolean not null,
  geo_lat double,
  geo_lon double,
  personalization_allowed boolean not null,
  marketing_allowed boolean not null,
  key_version varchar not null"""

TABLES: dict[str, str] = {
    "events": f"""(
  event_id varchar not null,
  event_type varchar not null,{_COMMON},
  page_url varchar,
  referrer varchar,
  listing_id varchar,
  search_id varchar,
  amount_kzt double
)""",
    "searches": f"""(
  search_id varchar not null,{_COMMON},
  query varchar not null,
  filter_category varchar,
  filter_district varchar,
  filter_check_in varchar,
  filter_check_out varchar,
  filter_guests bigint,
  filter_price_min_kzt double,
  filter_price_max_kzt double,
  results_count bigint not null,
  result_listing_ids varchar[]
)""",
    # The privacy feeds as pseudonyms, rebuilt before every run.
    "consent_changes": """(
  subject_pseudonym varchar not null,
  subject_kind varchar not null,
  changed_at timestamptz not null,
  scope varchar not null,
  granted boolean not null
)""",
    "account_changes": """(
  user_pseudonym varchar not null,
  changed_at timestamptz not null,
  status varchar not null
)""",
    "erasure_requests": """(
  request_id varchar not null,
  user_digest varchar not null,
  requested_at timestamptz not null,
  outstanding_obligations boolean not null,
  settled_at timestamptz,
  state varchar not null,
  state_reason varchar not null
)""",
    # Subjects none of whose records may be stored, and why: digests of their pseudonyms
    # (privacy/suppression.py), so an erased pseudonym is nowhere in the file.
    "suppressed_subjects": """(
  subject_digest varchar not null,
  reason varchar not null,
  since timestamptz
)""",
    # Which anonymous ids appeared with which user, per delivery day (consent and erasure
    # of a user cover these ids too).
    "identity_links": """(
  delivery_day date not null,
  anonymous_pseudonym varchar not null,
  user_pseudonym varchar not null
)""",
    # Anonymous ids seen with an erased user, kept as digests once the purge removed the
    # identity links that tied them to the user, so their later records are still dropped.
    "erased_subjects": """(
  subject_digest varchar not null,
  request_id varchar not null,
  erased_at timestamptz not null
)""",
    # What every purge removed, per rule (and erasure request) and table: append-only.
    "privacy_audit": """(
  purge_id varchar not null,
  purged_at timestamptz not null,
  rule varchar not null,
  request_id varchar,
  table_name varchar,
  change varchar not null,
  rows bigint not null
)""",
    # Almaty days whose daily models must be rebuilt because a purge removed rows of them;
    # the dbt daily models read them and the run clears them once built.
    "purged_days": """(
  day date not null
)""",
    "listing_versions": """(
  listing_id varchar not null,
  updated_at timestamptz not null,
  category varchar not null,
  title varchar,
  district varchar,
  lat double,
  lon double,
  price_kzt double,
  owner_pseudonym varchar,
  posted_at timestamptz,
  expires_at timestamptz,
  deleted_at timestamptz,
  promoted_until timestamptz,
  is_retired boolean not null
)""",
    # Lines that could not be stored: where and why, never their content.
    "quarantine": """(
  feed varchar not null,
  delivery_day date,
  source varchar not null,
  line_number bigint not null,
  reason varchar not null
)""",
    # Valid records not stored, per rule.
    "ingestion_drops": """(
  feed varchar not null,
  delivery_day date,
  reason varchar not null,
  records bigint not null
)""",
    # Values ingestion mapped to their class's fallback (stage `ingestion`), or the guard
    # corrected before the commit (stage `guard`: a rule let them through), per column.
    "corrections": """(
  feed varchar not null,
  delivery_day date,
  column_name varchar not null,
  stage varchar not null,
  records bigint not null
)""",
    "landing_files": """(
  feed varchar not null,
  delivery_day date not null,
  source varchar not null,
  size_bytes bigint not null
)""",
    "meta": """(
  key varchar not null,
  value varchar not null
)""",
}


# The tables with rows about a person, stored per Almaty day: a day's re-run or an erasure
# rewrites the files of the days it concerns and no other.
PER_DAY = {
    "events": "delivery_day",
    "searches": "delivery_day",
    "identity_links": "delivery_day",
    "quarantine": "delivery_day",
}


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema and any missing table; existing data is left alone."""
    con.execute(f"create schema if not exists {SCHEMA}")
    existing = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name = ?",
            [SCHEMA],
        ).fetchall()
    }
    missing = [name for name in TABLES if name not in existing]
    if not missing:
        return
    con.execute("begin transaction")
    try:
        for name in missing:
            con.execute(f"create table {SCHEMA}.{name} {TABLES[name]}")
            if name in PER_DAY:
                partition_by_day(con, f"{SCHEMA}.{name}", PER_DAY[name])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def check_key_version(con: duckdb.DuckDBPyConnection, key_version: str) -> None:
    """Refuse to mix pseudonyms of two secrets in one warehouse; record the first one."""
    rows = con.execute(f"select value from {SCHEMA}.meta where key = 'key_version'").fetchall()
    row = rows[0] if rows else None
    if row is None:
        con.execute(f"insert into {SCHEMA}.meta values ('key_version', ?)", [key_version])
    elif row[0] != key_version:
        raise AlmatyError(
            f"the warehouse was built with another secret (key version {row[0]}, now "
            f"{key_version}); rebuild it from the landing zone: move the warehouse folder away and "
            "run `almaty run` again",
            exit_code=2,
        )


@contextmanager
def open_warehouse(
    path: Path, wait_seconds: float = 0, on_wait: Callable[[], None] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The writing connection to the lake at `path`, with every table in place, in UTC.

    One process writes at a time (two writers of one SQLite catalog fail): while another
    holds the lake's writer lock, wait up to `wait_seconds` (calling `on_wait` now and then)
    instead of failing at once. Readers never wait (`connect_lake(path, read_only=True)`).
    """
    check_lake_folder(path)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / "writer.lock", "a") as lock:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AlmatyError(
                        f"{path}: cannot open the warehouse: another process is writing it"
                    ) from None
                if on_wait is not None:
                    on_wait()
                time.sleep(2)
        con = connect_lake(path)
        try:
            # Nothing here relies on row order (copies are ordered by file and line
            # explicitly), and unordered inserts run in parallel.
            con.execute("set preserve_insertion_order = false")
            create_tables(con)
            yield con
        finally:
            con.close()
