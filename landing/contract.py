"""Landing zone contract v1 (`/work/shared/contract/landing-v1.md`) as code.

Ingestion validates every line with `check_record` and quarantines the ones it rejects under
the returned reason code, so the schemas here are the contract's tables, read exactly:

- Every field of a feed's table must be present; a field typed "... or null" may be null.
  Only `gpc` may be absent (and then it may not be null): the contract says so for it alone.
- Unknown extra fields are tolerated: producers add fields before the contract catches up,
  and rejecting whole records for that would lose data. Missing or mistyped ones are not.
- Identifiers (`anonymous_id`, `event_id`, ...) must be non-empty strings.
- `geo` needs numeric `lat` in [-90, 90] and `lon` in [-180, 180]; `accuracy_m`, a number
  >= 0, may be left out. `filters` may hold any subset of its keys (dates as YYYY-MM-DD,
  `guests` an integer >= 1, prices numbers >= 0).
- Timestamps are RFC 3339 with a time zone (upper or lower case `T`/`Z`, as RFC 3339
  allows; no leap second), a real calendar date and one of the offsets Almaty has used:
  `Z`, `+05:00`, `+06:00`.
- `ip` is a bare IPv4/IPv6 address. The first `x_forwarded_for` entry is the client and may
  carry a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) or brackets around an IPv6 address.

A line with several defects gets the first reason in `REASONS` order.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from jsonschema import Draft202012Validator

from privacy.classes import EARLIEST, LATEST, LISTING_ID, UUID
from privacy.days import ALMATY
from privacy.network import client_address

# Reason codes, also the names ingestion's quarantine table uses; in precedence order.
BROKEN_JSON = "broken_json"
MISSING_FIELD = "missing_field"
WRONG_TYPE = "wrong_type"
UNKNOWN_EVENT_TYPE = "unknown_event_type"
BAD_TIMESTAMP = "bad_timestamp"
IMPLAUSIBLE_TIMESTAMP = "implausible_timestamp"
BAD_IP = "bad_ip"
REASONS: tuple[str, ...] = (
    BROKEN_JSON,
    MISSING_FIELD,
    WRONG_TYPE,
    UNKNOWN_EVENT_TYPE,
    BAD_TIMESTAMP,
    IMPLAUSIBLE_TIMESTAMP,
    BAD_IP,
)

FEEDS: tuple[str, ...] = (
    "events",
    "searches",
    "consent",
    "accounts",
    "erasure_requests",
    "listings",
)
FEED_PATHS: dict[str, str] = {
    "events": "events",
    "searches": "searches",
    "consent": "privacy/consent",
    "accounts": "privacy/accounts",
    "erasure_requests": "privacy/erasure_requests",
    "listings": "catalog/listings",
}
# Feeds delivered in `date=YYYY-MM-DD` folders; the others are append-only folders of files.
DAY_PARTITIONED_FEEDS: tuple[str, ...] = ("events", "searches")
DAY_FOLDER_PREFIX = "date="
FILE_SUFFIXES: tuple[str, ...] = (".jsonl", ".jsonl.gz")

EVENT_TYPES: tuple[str, ...] = (
    "page_view",
    "listing_view",
    "search_result_click",
    "favorite",
    "contact_request",
    "rental_request",
    "booking",
    "ad_impression",
    "ad_click",
    "promotion_purchase",
)
APPS: tuple[str, ...] = ("web", "ios", "android")
CONSENT_SCOPES: tuple[str, ...] = (
    "analytics",
    "personalization",
    "marketing",
    "geolocation",
    "all",
)
ACCOUNT_STATUSES: tuple[str, ...] = ("active", "terminated")
CATEGORIES: tuple[str, ...] = (
    "accommodation",
    "car_rental",
    "tour",
    "attraction",
    "restaurant",
    "advert",
)
# The contract names these as examples ("e.g."), so listings are not restricted to them.
DISTRICTS: tuple[str, ...] = (
    "Medeu",
    "Bostandyk",
    "Almaly",
    "Auezov",
    "Nauryzbay",
    "Turksib",
    "Zhetysu",
    "Alatau",
    "Shymbulak",
    "Charyn",
)
ALLOWED_OFFSETS: frozenset[str] = frozenset({"Z", "+05:00", "+06:00"})
# How far a usage record's `ts` may lie from its delivery day (Asia/Almaty) and still be
# believed: a phone offline for weeks delivers late, a fast clock a few minutes early.
MAX_LATENESS = timedelta(days=90)
MAX_CLOCK_SKEW = timedelta(minutes=30)
# The era every other record's own moment must fall in (`privacy.classes`).
ERA = (
    datetime.fromisoformat(EARLIEST).replace(tzinfo=UTC),
    datetime.fromisoformat(LATEST).replace(tzinfo=UTC),
)
_ALMATY = ZoneInfo(ALMATY)
# Almaty moved from UTC+06:00 to UTC+05:00 at this local midnight.
UTC_PLUS_5_SINCE = date(2024, 3, 1)

_ID = {"type": "string", "minLength": 1}
# The contract's forms: record ids are UUIDs, listing ids `lst_10234`.
_RECORD_ID = {"type": "string", "pattern": f"^(?:{UUID})$"}
_LISTING_ID = {"type": "string", "pattern": f"^(?:{LISTING_ID})$"}
_TEXT = {"type": "string"}
_TIMESTAMP = {"type": "string"}  # format checked by `is_rfc3339_almaty`


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


_GEO = {
    "type": ["object", "null"],
    "required": ["lat", "lon"],
    "properties": {
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "accuracy_m": {"type": "number", "minimum": 0},
    },
}
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_COMMON_PROPERTIES: dict[str, Any] = {
    "ts": _TIMESTAMP,
    "user_id": _nullable(_ID),
    "anonymous_id": _ID,
    "device_id": _nullable(_ID),
    "ip": _TEXT,  # address checked by `privacy.network.client_address`
    "x_forwarded_for": _nullable(_TEXT),
    "user_agent": _nullable(_TEXT),
    "gpc": {"type": "boolean"},
    "app": {"enum": list(APPS)},
    "locale": _nullable(_TEXT),
}


def _record(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object schema: every field of the table is required unless it may be absent."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": [key for key in properties if key not in optional],
        "properties": properties,
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "events": _record(
        {
            **_COMMON_PROPERTIES,
            "event_id": _RECORD_ID,
            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
            "page_url": _TEXT,
            "referrer": _nullable(_TEXT),
            "listing_id": _nullable(_LISTING_ID),
            "search_id": _nullable(_RECORD_ID),
            "amount_kzt": _nullable({"type": "number"}),
            "geo": _GEO,
        },
        optional=("gpc",),
    ),
    "searches": _record(
        {
            **_COMMON_PROPERTIES,
            "search_id": _RECORD_ID,
            "query": _TEXT,
            "filters": {
                "type": "object",
                "properties": {
                    "category": {"enum": list(CATEGORIES)},
                    "district": {"type": "string", "minLength": 1},
                    "check_in": _DATE,
                    "check_out": _DATE,
                    "guests": {"type": "integer", "minimum": 1},
                    "price_min_kzt": {"type": "number", "minimum": 0},
                    "price_max_kzt": {"type": "number", "minimum": 0},
                },
            },
            "results_count": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
            "result_listing_ids": {"type": "array", "items": _LISTING_ID},
            "geo": _GEO,
        },
        optional=("gpc",),
    ),
    "consent": {
        **_record(
            {
                "user_id": _nullable(_ID),
                "anonymous_id": _nullable(_ID),
                "ts": _TIMESTAMP,
                "scope": {"enum": list(CONSENT_SCOPES)},
                "granted": {"type": "boolean"},
            }
        ),
        # "at least one of the two is set": reported as missing_field.
        "anyOf": [
            {"properties": {"user_id": {"type": "string"}}},
            {"properties": {"anonymous_id": {"type": "string"}}},
        ],
    },
    "accounts": _record(
        {"user_id": _ID, "ts": _TIMESTAMP, "status": {"enum": list(ACCOUNT_STATUSES)}}
    ),
    "erasure_requests": _record(
        {
            "request_id": _ID,
            "user_id": _ID,
            "requested_at": _TIMESTAMP,
            "outstanding_obligations": {"type": "boolean"},
            "settled_at": _nullable(_TIMESTAMP),
        }
    ),
    "listings": _record(
        {
            "listing_id": _LISTING_ID,
            "updated_at": _TIMESTAMP,
            "category": {"enum": list(CATEGORIES)},
            "title": _TEXT,
            "district": {"type": "string", "minLength": 1},
            "lat": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
            "lon": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
            "price_kzt": _nullable({"type": "number"}),
            "owner_user_id": _nullable(_ID),
            "owner_phone": _nullable(_TEXT),
            "owner_email": _nullable(_TEXT),
            "posted_at": _TIMESTAMP,
            "expires_at": _nullable(_TIMESTAMP),
            "deleted_at": _nullable(_TIMESTAMP),
            "promoted_until": _nullable(_TIMESTAMP),
        }
    ),
}
# Fields holding an RFC 3339 timestamp (when not null), per feed.
TIMESTAMP_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("ts",),
    "searches": ("ts",),
    "consent": ("ts",),
    "accounts": ("ts",),
    "erasure_requests": ("requested_at", "settled_at"),
    "listings": ("updated_at", "posted_at", "expires_at", "deleted_at", "promoted_until"),
}
# Fields holding an address, per feed: `ip` itself and the client entry of the forwarded chain.
ADDRESS_FEEDS: tuple[str, ...] = ("events", "searches")

# One conforming record per feed, built from the contract's own examples.
EXAMPLES: dict[str, dict[str, Any]] = {
    "events": {
        "ts": "2026-03-01T10:15:00.123+05:00",
        "user_id": "u_1842",
        "anonymous_id": "5f0c3f4e-8a51-4d47-9a8e-2d7f1b0c9e21",
        "device_id": None,
        "ip": "95.56.1.2",
        "x_forwarded_for": None,
        "user_agent": "VisitAlmaty/4.2.0 (iPhone; iOS 17.5; Scale/3.00)",
        "app": "ios",
        "locale": "ru-KZ",
        "event_id": "0b7e8d62-3c1a-4f0e-9d7b-6a2f4c8e1b35",
        "event_type": "listing_view",
        "page_url": "https://visitalmaty.kz/ru/listing/lst_10234",
        "referrer": None,
        "listing_id": "lst_10234",
        "search_id": None,
        "amount_kzt": None,
        "geo": {"lat": 43.2389, "lon": 76.8897, "accuracy_m": 25},
    },
    "searches": {
        "ts": "2026-03-01T10:14:58.020Z",
        "user_id": None,
        "anonymous_id": "5f0c3f4e-8a51-4d47-9a8e-2d7f1b0c9e21",
        "device_id": None,
        "ip": "2a03:32c0:12:8f::1",
        "x_forwarded_for": "95.56.1.2, 10.0.0.7",
        "user_agent": None,
        "gpc": True,
        "app": "web",
        "locale": "kk-KZ",
        "search_id": "c1d2e3f4-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
        "query": "шымбұлақ шаңғы",
        "filters": {"category": "attraction", "guests": 2},
        "results_count": 1,
        "result_listing_ids": ["lst_10234"],
        "geo": None,
    },
    "consent": {
        "user_id": None,
        "anonymous_id": "5f0c3f4e-8a51-4d47-9a8e-2d7f1b0c9e21",
        "ts": "2023-11-02T21:40:11+06:00",
        "scope": "marketing",
        "granted": False,
    },
    "accounts": {"user_id": "u_1842", "ts": "2021-06-01T09:00:00+06:00", "status": "active"},
    "erasure_requests": {
        "request_id": "er_000017",
        "user_id": "u_1842",
        "requested_at": "2026-03-01T05:15:00Z",
        "outstanding_obligations": True,
        "settled_at": None,
    },
    "listings": {
        "listing_id": "lst_10234",
        "updated_at": "2026-03-01T10:15:00+05:00",
        "category": "accommodation",
        "title": "Шале «Медеу»",
        "district": "Medeu",
        "lat": 43.1581,
        "lon": 77.0573,
        "price_kzt": 95000,
        "owner_user_id": "u_1842",
        "owner_phone": "+7 701 234 56 78",
        "owner_email": "info@medeu-chalet.kz",
        "posted_at": "2023-12-01T12:00:00+06:00",
        "expires_at": None,
        "deleted_at": None,
        "promoted_until": None,
    },
}

_VALIDATORS = {feed: Draft202012Validator(schema) for feed, schema in SCHEMAS.items()}
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
_DAY_FOLDER = re.compile(re.escape(DAY_FOLDER_PREFIX) + r"([0-9]{4}-[0-9]{2}-[0-9]{2})", re.ASCII)


def is_rfc3339_almaty(text: str) -> bool:
    """Whether `text` is an RFC 3339 timestamp of a real instant with an Almaty-era offset."""
    match = _RFC3339.fullmatch(text)
    if match is None or match[7].upper() not in ALLOWED_OFFSETS:
        return False
    try:
        datetime(*(int(part) for part in match.groups()[:6]))
    except ValueError:
        return False
    return True


def plausible_window(delivery_day: date) -> tuple[datetime, datetime]:
    """[first, end) of the moments a usage record delivered on `delivery_day` may carry:
    its Almaty day, MAX_LATENESS earlier and MAX_CLOCK_SKEW later."""
    start = datetime.combine(delivery_day, time(), _ALMATY)
    end = datetime.combine(delivery_day + timedelta(days=1), time(), _ALMATY)
    return (
        max(start - MAX_LATENESS, ERA[0]).astimezone(UTC),
        min(end + MAX_CLOCK_SKEW, ERA[1]).astimezone(UTC),
    )


def _plausible(text: str, window: tuple[datetime, datetime]) -> bool:
    moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    return window[0] <= moment < window[1]


def _schema_reason(validator: Draft202012Validator, record: Any) -> str | None:
    reasons = set()
    for error in validator.iter_errors(record):
        if error.validator in ("required", "anyOf"):
            reasons.add(MISSING_FIELD)
        elif error.validator == "enum" and list(error.absolute_path) == ["event_type"]:
            reasons.add(UNKNOWN_EVENT_TYPE)
        else:
            reasons.add(WRONG_TYPE)
    return next((reason for reason in REASONS if reason in reasons), None)


def check_record(feed: str, line: bytes | str, delivery_day: date | None = None) -> str | None:
    """None if `line` is a record `feed` may carry, else the reason code to quarantine it under.

    A record's own moment (the first of TIMESTAMP_FIELDS) must be plausible: within the
    lateness and clock-skew window of its delivery day for the usage feeds (when
    `delivery_day` is given), within the era for the others.
    """
    validator = _VALIDATORS[feed]
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return BROKEN_JSON
    reason = _schema_reason(validator, record)
    if reason is not None:
        return reason
    for field in TIMESTAMP_FIELDS[feed]:
        value = record[field]
        if value is not None and not is_rfc3339_almaty(value):
            return BAD_TIMESTAMP
    if feed not in DAY_PARTITIONED_FEEDS:
        window = ERA
    elif delivery_day is not None:
        window = plausible_window(delivery_day)
    else:
        window = None
    if window is not None and not _plausible(record[TIMESTAMP_FIELDS[feed][0]], window):
        return IMPLAUSIBLE_TIMESTAMP
    if feed in ADDRESS_FEEDS:
        chain = record["x_forwarded_for"]
        try:  # the rule ingestion applies: the edge's address, then the chain's first hop
            client_address(record["ip"], None)
            client_address(record["ip"], chain)
        except ValueError:
            return BAD_IP
    return None


def _folder_day(path: Path) -> date | None:
    """The delivery day a `date=YYYY-MM-DD` folder holds, None for anything else."""
    match = _DAY_FOLDER.fullmatch(path.name)
    if match is None or not path.is_dir():
        return None
    try:
        return date.fromisoformat(match[1])
    except ValueError:
        return None


def _data_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.name.endswith(FILE_SUFFIXES)
    )


def _day_folders(root: Path, feed: str) -> list[tuple[date, Path]]:
    folder = root / FEED_PATHS[feed]
    if not folder.is_dir():
        return []
    days = ((_folder_day(path), path) for path in folder.iterdir())
    return sorted((day, path) for day, path in days if day is not None)


def delivery_days(root: Path) -> list[date]:
    """Every delivery day with a folder under `root` in any day-partitioned feed, in order."""
    return sorted({day for feed in DAY_PARTITIONED_FEEDS for day, _ in _day_folders(root, feed)})


def feed_files(root: Path, feed: str, day: date | None = None) -> list[Path]:
    """The data files of `feed` under `root`, in a stable order.

    For a day-partitioned feed, those of delivery day `day` (all days when None); an
    append-only feed has no delivery days, so it takes no `day`. Anything else in the
    folders (other suffixes, hidden files such as a producer's temporary files, folders
    that are not `date=YYYY-MM-DD`) is not part of a delivery and is skipped.
    """
    if feed not in DAY_PARTITIONED_FEEDS:
        if day is not None:
            raise ValueError(f"{feed} is append-only: its files have no delivery day")
        return _data_files(root / FEED_PATHS[feed])
    folders = [path for found, path in _day_folders(root, feed) if day in (None, found)]
    return [path for folder in folders for path in _data_files(folder)]


def iter_zone_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(feed, file) for every data file the layout places under `root` (see `feed_files`)."""
    for feed in FEEDS:
        for path in feed_files(root, feed):
            yield feed, path


def open_lines(path: Path) -> Iterator[bytes]:
    """The lines of a plain or gzip (`.gz`) JSONL file, without their line ends (nor a
    byte-order mark opening the file, which is no part of its first line)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle):
            yield (line.removeprefix(b"\xef\xbb\xbf") if number == 0 else line).rstrip(b"\r\n")
