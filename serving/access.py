"""Access requests (policy section 6): everything the warehouse holds about one user, explained.

The user is found through the pseudonym of their account id, and with it every anonymous id
(cookie or app install) seen logged in as them. It reads the access copy
(`publish_access_copy`), never the warehouse, so it answers while the pipeline runs.
Keyed codes (pseudonyms, tokens, digests) are shown as labels saying what they stand for:
they mean nothing to the person, and the project never prints them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from privacy.suppression import suppression_digest, suppression_digest_sql
from serving.published_copy import ACCESS_TABLES

DBT_MODELS = Path(__file__).resolve().parent.parent / "dbt_project" / "models"
SUBJECT_COLUMNS = ("user_pseudonym", "anonymous_pseudonym", "subject_pseudonym", "owner_pseudonym")

SUMMARY = (
    "Everything the Visit Almaty City analytics warehouse holds about the account id you gave, "
    "and about the browsers and app installs seen logged in as that account. The warehouse "
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


def access_report(con: duckdb.DuckDBPyConnection, user_pseudonym: str) -> dict[str, Any]:
    """Every row of the access copy `con` about the user, table by table, explained."""
    anonymous = [
        row[0]
        for row in con.execute(
            "select distinct anonymous_pseudonym from ingested.identity_links "
            "where user_pseudonym = ? order by 1",
            [user_pseudonym],
        ).fetchall()
    ]
    subjects = [user_pseudonym, *anonymous]
    labels = _Labels(user_pseudonym, anonymous)
    notes = field_notes()
    tables: dict[str, Any] = {}
    for schema, table in ACCESS_TABLES:
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
        ]
        mine = [c for c in columns if c in SUBJECT_COLUMNS]
        if "user_digest" in columns:
            condition, params = f"user_digest = {suppression_digest_sql('?')}", [user_pseudonym]
        else:
            condition = " or ".join(f"{c} in (select unnest(?))" for c in mine)
            params = [subjects] * len(mine)
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
