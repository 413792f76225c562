"""What each landing feed holds, as ingestion reads it: one table drives parsing and checks.

Ingestion is a tolerant reader: DuckDB's `json_transform` coerces a value of the wrong JSON
type (or makes it NULL), and the line is quarantined only where that loses something the
warehouse needs: a required field, a timestamp, an allowed value, an IP address, a key of
the contract's form. Every other value is checked against its privacy class
(`privacy.classes`) and, outside it, mapped to the class's fallback and counted: nothing
outside what a column may hold is copied.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.columns import COLUMN_CLASSES
from landing.contract import (
    ACCOUNT_STATUSES,
    APPS,
    CATEGORIES,
    CONSENT_SCOPES,
    EVENT_TYPES,
    FEED_PATHS,
    UNKNOWN_EVENT_TYPE,
    WRONG_TYPE,
)
from privacy import classes
from privacy.classes import PrivacyClass


@dataclass(frozen=True)
class Part:
    """A field of a JSON object field (`filters.category`), stored as its own column."""

    name: str
    sql_type: str
    cls: PrivacyClass
    column: str  # the stored column, and the name its corrections are counted under


@dataclass(frozen=True)
class Field:
    name: str
    sql_type: str = "VARCHAR"  # the target of json_transform
    required: bool = False  # missing or null quarantines the line
    timestamp: bool = False  # RFC 3339 with an offset, parsed to TIMESTAMPTZ
    allowed: tuple[str, ...] = ()  # a value outside this set quarantines the line
    not_allowed_reason: str = WRONG_TYPE
    # A value outside this class quarantines the line when the field is required, else it
    # becomes the class's fallback and is counted.
    cls: PrivacyClass | None = None
    # Free text stored as written (scrubbed): an object or array delivered here would be
    # stored as its JSON text, so it is not taken for the text (the line is quarantined if
    # the field is required, else the value is dropped). Every other string field holds
    # JSON text harmlessly: a class rejects it, a rule reduces it (a pseudonym, a URL's
    # parts, a browser family) or it is not an address.
    text: bool = False
    parts: tuple[Part, ...] = ()  # a JSON object's fields, each with its class


@dataclass(frozen=True)
class Feed:
    name: str
    daily: bool  # date=YYYY-MM-DD partitions (else append-only files)
    fields: tuple[Field, ...]
    key: str | None = None  # de-duplication key
    one_of: tuple[str, ...] = ()  # at least one of these must be set

    @property
    def folder(self) -> str:
        """Where the feed lives, relative to the landing root."""
        return FEED_PATHS[self.name]


def _stored(column: str) -> PrivacyClass:
    return COLUMN_CLASSES[column]


_LAT = classes.number(-90, 90, "a latitude")
_LON = classes.number(-180, 180, "a longitude")
GEO = Field(
    "geo",
    "STRUCT(lat DOUBLE, lon DOUBLE, accuracy_m DOUBLE)",
    parts=(Part("lat", "DOUBLE", _LAT, "geo_lat"), Part("lon", "DOUBLE", _LON, "geo_lon")),
)

COMMON = (
    Field("ts", required=True, timestamp=True),
    Field("user_id"),
    Field("anonymous_id", required=True),
    Field("device_id"),
    Field("ip", required=True),
    Field("x_forwarded_for"),
    Field("user_agent"),
    Field("gpc", "BOOLEAN"),
    Field("app", required=True, allowed=APPS),
    Field("locale", cls=_stored("locale")),
)

EVENTS = Feed(
    "events",
    daily=True,
    key="event_id",
    fields=(
        Field("event_id", required=True, cls=_stored("event_id")),
        Field(
            "event_type",
            required=True,
            allowed=EVENT_TYPES,
            not_allowed_reason=UNKNOWN_EVENT_TYPE,
        ),
        *COMMON,
        Field("page_url", required=True),
        Field("referrer"),
        Field("listing_id", cls=classes.catalog_id()),
        Field("search_id", cls=_stored("search_id")),
        Field("amount_kzt", "DOUBLE", cls=_stored("amount_kzt")),
        GEO,
    ),
)

_FILTERS = (
    ("category", "VARCHAR"),
    ("district", "VARCHAR"),
    ("check_in", "VARCHAR"),
    ("check_out", "VARCHAR"),
    ("guests", "BIGINT"),
    ("price_min_kzt", "DOUBLE"),
    ("price_max_kzt", "DOUBLE"),
)

SEARCHES = Feed(
    "searches",
    daily=True,
    key="search_id",
    fields=(
        Field("search_id", required=True, cls=_stored("search_id")),
        *COMMON,
        Field("query", required=True, text=True),
        Field(
            "filters",
            "STRUCT(" + ", ".join(f"{name} {sql_type}" for name, sql_type in _FILTERS) + ")",
            parts=tuple(
                Part(name, sql_type, _stored(f"filter_{name}"), f"filter_{name}")
                for name, sql_type in _FILTERS
            ),
        ),
        Field("results_count", "BIGINT", required=True, cls=_stored("results_count")),
        Field("result_listing_ids", "VARCHAR[]", required=True, cls=classes.catalog_id()),
        GEO,
    ),
)

CONSENT = Feed(
    "consent",
    daily=False,
    one_of=("user_id", "anonymous_id"),
    fields=(
        Field("user_id"),
        Field("anonymous_id"),
        Field("ts", required=True, timestamp=True),
        Field("scope", required=True, allowed=CONSENT_SCOPES),
        Field("granted", "BOOLEAN", required=True),
    ),
)

ACCOUNTS = Feed(
    "accounts",
    daily=False,
    fields=(
        Field("user_id", required=True),
        Field("ts", required=True, timestamp=True),
        Field("status", required=True, allowed=ACCOUNT_STATUSES),
    ),
)

ERASURE_REQUESTS = Feed(
    "erasure_requests",
    daily=False,
    fields=(
        Field("request_id", required=True),
        Field("user_id", required=True),
        Field("requested_at", required=True, timestamp=True),
        Field("outstanding_obligations", "BOOLEAN", required=True),
        Field("settled_at", timestamp=True),
    ),
)

LISTINGS = Feed(
    "listings",
    daily=False,
    fields=(
        Field("listing_id", required=True, cls=classes.catalog_id()),
        Field("updated_at", required=True, timestamp=True),
        Field("category", required=True, allowed=CATEGORIES),
        Field("title", text=True),
        Field("district", cls=_stored("filter_district")),
        Field("lat", "DOUBLE", cls=_LAT),
        Field("lon", "DOUBLE", cls=_LON),
        Field("price_kzt", "DOUBLE", cls=_stored("price_kzt")),
        # owner_phone and owner_email are never read: contact details are not stored.
        Field("owner_user_id"),
        Field("posted_at", timestamp=True),
        Field("expires_at", timestamp=True),
        Field("deleted_at", timestamp=True),
        Field("promoted_until", timestamp=True),
    ),
)

FEEDS = {
    feed.name: feed for feed in (EVENTS, SEARCHES, CONSENT, ACCOUNTS, ERASURE_REQUESTS, LISTINGS)
}
