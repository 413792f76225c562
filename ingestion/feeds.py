"""What each landing feed holds, as ingestion reads it: one table drives parsing and checks.

Ingestion is a tolerant reader: DuckDB's `json_transform` coerces a value of the wrong JSON
type (or makes it NULL), and the line is quarantined only where that loses something the
warehouse needs: a required field, a timestamp, an allowed value, an IP address.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Field:
    name: str
    sql_type: str = "VARCHAR"  # the target of json_transform
    required: bool = False  # missing or null quarantines the line
    timestamp: bool = False  # RFC 3339 with an offset, parsed to TIMESTAMPTZ
    allowed: tuple[str, ...] = ()  # a value outside this set quarantines the line
    not_allowed_reason: str = WRONG_TYPE


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


GEO = "STRUCT(lat DOUBLE, lon DOUBLE, accuracy_m DOUBLE)"

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
    Field("locale"),
)

EVENTS = Feed(
    "events",
    daily=True,
    key="event_id",
    fields=(
        Field("event_id", required=True),
        Field(
            "event_type",
            required=True,
            allowed=EVENT_TYPES,
            not_allowed_reason=UNKNOWN_EVENT_TYPE,
        ),
        *COMMON,
        Field("page_url", required=True),
        Field("referrer"),
        Field("listing_id"),
        Field("search_id"),
        Field("amount_kzt", "DOUBLE"),
        Field("geo", GEO),
    ),
)

SEARCHES = Feed(
    "searches",
    daily=True,
    key="search_id",
    fields=(
        Field("search_id", required=True),
        *COMMON,
        Field("query", required=True),
        Field(
            "filters",
            "STRUCT(category VARCHAR, district VARCHAR, check_in VARCHAR, check_out VARCHAR, "
            "guests BIGINT, price_min_kzt DOUBLE, price_max_kzt DOUBLE)",
        ),
        Field("results_count", "BIGINT", required=True),
        Field("result_listing_ids", "VARCHAR[]"),
        Field("geo", GEO),
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
        Field("listing_id", required=True),
        Field("updated_at", required=True, timestamp=True),
        Field("category", required=True, allowed=CATEGORIES),
        Field("title"),
        Field("district"),
        Field("lat", "DOUBLE"),
        Field("lon", "DOUBLE"),
        Field("price_kzt", "DOUBLE"),
        Field("owner_user_id"),
        Field("owner_phone"),
        Field("owner_email"),
        Field("posted_at", timestamp=True),
        Field("expires_at", timestamp=True),
        Field("deleted_at", timestamp=True),
        Field("promoted_until", timestamp=True),
    ),
)

FEEDS = {
    feed.name: feed for feed in (EVENTS, SEARCHES, CONSENT, ACCOUNTS, ERASURE_REQUESTS, LISTINGS)
}
