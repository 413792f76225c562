"""Access requests (policy section 6): everything the warehouse holds about one user, explained.

The user is found through the pseudonym of their account id. A row is theirs when it carries
that pseudonym (as the user, the consent subject or the listing owner; their erasure request
by its digest), or when it belongs to an anonymous id (cookie or app install) seen logged in
as them and as no other account, and names no other account. A browser shared by two
accounts is neither one's: each sees only what they did on it logged in, never the other's
rows nor the browser's anonymous activity, which could be either's (or a third person's).
It attaches the lake read-only, so it answers while the pipeline runs, from the snapshot
committed last. Keyed codes (pseudonyms, tokens, digests) are shown as labels saying what
they stand for: they mean nothing to the person, and the project never prints them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from privacy.suppression import suppression_digest, suppression_digest_sql

# Every table that holds rows per person, (schema, table).
ACCESS_TABLES: tuple[tuple[str, str], ...] = (
    ("ingested", "events"),
    ("ingested", "searches"),
    ("ingested", "identity_links"),
    ("ingested", "consent_changes"),
    ("ingested", "account_changes"),
    ("ingested", "erasure_requests"),
    ("ingested", "listing_versions"),
    ("intermediate", "int_sessions"),
    ("marts", "fct_user_listing_interactions"),
)

DBT_MODELS = Path(__file__).resolve().parent.parent / "dbt_project" / "models"
SUBJECT_COLUMNS = ("user_pseudonym", "anonymous_pseudonym", "subject_pseudonym", "owner_pseudonym")
# Columns that hold an account (a person): a row naming another account there is theirs.
ACCOUNT_COLUMNS = ("user_pseudonym", "owner_pseudonym")
# Columns that can hold an anonymous id (a consent subject is an account or an anonymous id).
ANONYMOUS_COLUMNS = ("anonymous_pseudonym", "subject_pseudonym")

SUMMARY = (
    "Everything the Visit Almaty City analytics warehouse holds about the account id you gave: "
    "what was done logged in as that account, and what was done logged out on browsers and "
    "app installs used by that account and by no other (on a browser or app that other "
    "accounts used too, only what you did logged in is shown, since the rest could be "
    "anyone's). The warehouse "
    "never stores your account id, e-mail, phone, full IP address, exact location or raw "
    "browser string: ids are replaced by keyed codes (pseudonyms, shown here as labels such "
    "as 'your account'), IP addresses are cut to their network and a code that changes every "
    "day, browser strings are reduced to browser, system and device type, locations are "
    "rounded to about 1 km and kept only with your geolocation consent, and search queries, "
    "page addresses and listing titles are cleaned of e-mail addresses, phone numbers, "
    "national ids and card numbers. Times are UTC."
)

# What was done to a column on its way in, where something was: added to its description.
PROCESSING = {
    "user_pseudonym": "Your account id, replaced by a keyed code (pseudonym); shown as a label.",
    "anonymous_pseudonym": "A browser cookie or app-install id, replaced by a keyed code; "
    "shown as a label.",
    "subject_pseudonym": "Your account or one of your browser ids, replaced by a keyed code; "
    "shown as a label.",
    "owner_pseudonym": "The listing owner's account id, replaced by a keyed code; shown as a "
    "label.",
    "device_pseudonym": "The device id, replaced by a keyed code; shown as a label.",
    "user_digest": "A one-way digest of your pseudonym, kept so the request can be honoured; "
    "shown as a label.",
    "ip_network": "Your IP address cut to its network (IPv4 /24, IPv6 /48); the address itself "
    "is never stored.",
    "ip_token": "A code of your IP address that changes every day, so visits can be counted "
    "within a day but never linked across days; shown as a label.",
    "browser_family": "Derived from the browser string, which is not stored.",
    "browser_major": "Derived from the browser string, which is not stored.",
    "os_family": "Derived from the browser string, which is not stored.",
    "device_class": "Derived from the browser string, which is not stored.",
    "geo_lat": "Rounded to 0.01 degree (about 1 km); kept only with your geolocation consent.",
    "geo_lon": "Rounded to 0.01 degree (about 1 km); kept only with your geolocation consent.",
    "query": "Normalized and cleaned of e-mail addresses, phone numbers, national ids (IIN/BIN), "
    "card numbers and IP addresses.",
    "page_url": "Only scheme, host, path and the utm_*, category, district, lang and page "
    "parameters are kept.",
    "referrer": "Only scheme, host, path and the utm_*, category, district, lang and page "
    "parameters are kept.",
    "title": "Cleaned of e-mail addresses, phone numbers, national ids and card numbers.",
    "entry_page": "The path of the first page of the visit only.",
}


def field_notes() -> dict[str, dict[str, str]]:
    """Per table name, per column: the dbt project's description, with what was done to it."""
    notes: dict[str, dict[str, str]] = {}
    for path in sorted(DBT_MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tables = list(document.get("models", []))
        for source in document.get("sources", []):
            tables += source.get("tables", [])
        for table in tables:
            columns = notes.setdefault(table["name"], {})
            for column in table.get("columns", []):
                text = column.get("description", "").strip()
                extra = PROCESSING.get(column["name"])
                columns[column["name"]] = f"{text} {extra}".strip() if extra else text
    return notes


class _Labels:
    """Readable stand-ins for keyed codes: 'your account', 'your browser or app 1', ..."""

    def __init__(self, user: str, anonymous: list[str]) -> None:
        self.known = {user: "your account", suppression_digest(user): "your account (digest)"}
        for number, pseudonym in enumerate(anonymous, start=1):
            self.known[pseudonym] = f"your browser or app {number}"
        self.others: dict[tuple[str, str], str] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, column: str, value: str) -> str:
        if value in self.known:
            return self.known[value]
        key = (column, value)
        if key not in self.others:
            kind = {"ip_token": "network code", "device_pseudonym": "device"}.get(column, column)
            self.counts[column] = self.counts.get(column, 0) + 1
            self.others[key] = f"{kind} {self.counts[column]}"
        return self.others[key]


LABELLED = {*SUBJECT_COLUMNS, "device_pseudonym", "ip_token", "user_digest"}


def _plain(column: str, value: Any, labels: _Labels) -> Any:
    if value is None:
        return None
    if column in LABELLED:
        return labels(column, value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(column, item, labels) for item in value]
    return value


def _own_anonymous_ids(con: duckdb.DuckDBPyConnection, user_pseudonym: str) -> list[str]:
    """Anonymous ids seen logged in as the user and as no other account."""
    rows = con.execute(
        "select anonymous_pseudonym from ingested.identity_links group by 1 "
        "having bool_and(user_pseudonym = ?) and bool_or(user_pseudonym = ?) order by 1",
        [user_pseudonym, user_pseudonym],
    ).fetchall()
    return [row[0] for row in rows]


def attributable_condition(columns: list[str]) -> str:
    """SQL true for the rows of a table with `columns` that are the user's: the user's own
    pseudonym in any column (parameter `$user`), or an anonymous id of theirs alone
    (`$anonymous`) in a row naming no other account. Without such columns, no row."""
    own = [f"{c} = $user" for c in SUBJECT_COLUMNS if c in columns and c != "anonymous_pseudonym"]
    anonymous = [f"{c} in (select unnest($anonymous))" for c in ANONYMOUS_COLUMNS if c in columns]
    if anonymous:
        no_other = [f"coalesce({c} = $user, true)" for c in ACCOUNT_COLUMNS if c in columns]
        own.append(" and ".join([f"({' or '.join(anonymous)})", *no_other]))
    return " or ".join(f"({condition})" for condition in own) or "false"


def access_report(con: duckdb.DuckDBPyConnection, user_pseudonym: str) -> dict[str, Any]:
    """Every row of the lake `con` reads attributable to the user, table by table, explained.

    Rows of a browser or app install other accounts were seen on too are left out unless
    they carry the user's pseudonym: the report never shows another person's activity.
    """
    # Every browser the user was seen on is "yours" in the labels, shared or not: a label
    # saying a browser was shared would tell of another account.
    seen_on = [
        row[0]
        for row in con.execute(
            "select distinct anonymous_pseudonym from ingested.identity_links "
            "where user_pseudonym = ? order by 1",
            [user_pseudonym],
        ).fetchall()
    ]
    labels = _Labels(user_pseudonym, seen_on)
    values = {"user": user_pseudonym, "anonymous": _own_anonymous_ids(con, user_pseudonym)}
    notes = field_notes()
    tables: dict[str, Any] = {}
    for schema, table in ACCESS_TABLES:
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database() "
                "and schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
        ]
        if "user_digest" in columns:
            condition = f"user_digest = {suppression_digest_sql('$user')}"
        else:
            condition = attributable_condition(columns)
        # DuckDB refuses a named parameter the query does not use
        params = {name: value for name, value in values.items() if f"${name}" in condition}
        cursor = con.execute(f"select * from {schema}.{table} where {condition}", params)
        rows = [
            {c: _plain(c, v, labels) for c, v in zip(columns, row, strict=True)}
            for row in cursor.fetchall()
        ]
        if rows:
            tables[f"{schema}.{table}"] = {
                "fields": {c: notes.get(table, {}).get(c, "") for c in columns},
                "rows": rows,
            }
    found = bool(tables)
    return {
        "found": found,
        "summary": SUMMARY
        if found
        else "The warehouse holds nothing about this account id: no usage, consent, account, "
        "erasure or listing record (it may never have been used, or its data was erased).",
        "tables": tables,
    }


def write_access_report(report: dict[str, Any], out: Path | None) -> None:
    """The report as JSON into `out` (written whole, then renamed), or on standard output."""
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        print(text, end="")
        return
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)
