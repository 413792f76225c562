"""The privacy class of every column the warehouse, its published copies and its exports store.

One table, by column name (a name means the same thing wherever it appears; the few that do
not have an entry per table). A column missing here is a column nobody has judged:
`class_of` refuses it, and a test lists every column of a built warehouse, of its copies and
of the export files and fails for any it cannot classify, so a new column cannot slip in.
"""

from __future__ import annotations

from typing import Final

from ingestion.lines import EXPECTED_NAME
from landing.contract import (
    ACCOUNT_STATUSES,
    APPS,
    CATEGORIES,
    CONSENT_SCOPES,
    DISTRICTS,
    EVENT_TYPES,
    FEEDS,
    REASONS,
)
from privacy import classes as c
from privacy.classes import PrivacyClass
from privacy.suppression import DROP_REASONS
from privacy.user_agent import DEVICE_CLASSES, browser_families, os_families

# Markers the marts use for groups: small groups folded together, listings the catalog lacks.
OTHER: Final = "other"
UNKNOWN: Final = "unknown"

PURGE_RULES: Final = (
    "erasure",
    "analytics_opt_out",
    "retention",
    "anonymous_retention",
    "personalization_opt_out",
    "marketing_opt_out",
    "analytics_refusal_interval",
    "personalization_refusal_interval",
    "marketing_refusal_interval",
    "geolocation_not_granted",
    "none",
)
PURGE_CHANGES: Final = (
    "deleted",
    "owner_removed",
    "flag_cleared",
    "geo_cleared",
    "export_rows_deleted",
    "carried_out",
)
RECOMMENDATION_REASONS: Final = ("personalized", "similar_to_recent", "popular", "similar")
CHANNELS: Final = ("campaign", "direct", "search_engine", "social", "referral")
QUERY_LANGUAGES: Final = ("kk", "ru", "en", UNKNOWN)
ERASURE_STATES: Final = ("done", "deferred")
ERASURE_STATE_REASONS: Final = (
    "no outstanding obligations",
    "obligations settled",
    "outstanding obligations",
)
META_KEYS: Final = ("key_version", "purge_fingerprint")
# Where an erasure request's id does not have the website's form (`er_000017`), a keyed
# stand-in takes its place (`ingestion.rules`).
REQUEST_ID: Final = r"er_[0-9]{1,9}|ref_[0-9a-f]{16}"
# A landing file as recorded (`ingestion.lines.recorded_name`): its folder in the layout,
# then its name where that has the expected form, else its place in the folder.
LANDING_FILE: Final = (
    r"((events|searches)/date=[0-9]{4}-[0-9]{2}-[0-9]{2}|privacy/(consent|accounts|"
    rf"erasure_requests)|catalog/listings)/({EXPECTED_NAME.pattern}|#[0-9]{{1,6}})"
)
AUDITED_TABLE: Final = r"[a-z_]+\.[a-z_]+|recommendations/[0-9TZ-]+/[a-z]+\.parquet"

_MONEY = 1e9  # KZT; a billion is beyond any booking, and below any phone or ID number
# Why ingestion stored, dropped or quarantined a record, and why a list holds a listing.
_EVERY_REASON = (*REASONS, *DROP_REASONS, "listing_not_in_catalog", *RECOMMENDATION_REASONS)


OUTCOMES: Final = ("dropped", "quarantined", "corrected", "corrected_by_guard", "kept")
# Landing fields that are not stored as such but can be corrected (their value dropped).
_LANDING_ONLY: Final = ("user_agent",)


def _columns() -> dict[str, PrivacyClass]:
    pseudonym = c.pseudonym()
    moment = c.timestamp()
    count = c.aggregate("a count")
    rate = c.aggregate("a share", 0, 1)
    columns = {
        # who: keyed codes only
        "user_pseudonym": pseudonym,
        "anonymous_pseudonym": pseudonym,
        "device_pseudonym": pseudonym,
        "subject_pseudonym": pseudonym,
        "owner_pseudonym": pseudonym,
        "user_digest": c.digest(),
        "subject_digest": c.digest(),
        "ip_token": c.day_token(),
        "ip_network": c.network(),
        "session_id": c.derived_key(),
        "purge_id": c.derived_key(),
        "key_version": c.derived_key(),
        # records and the catalog
        "event_id": c.record_id(),
        "search_id": c.record_id(),
        "activity_id": c.record_id(),
        "listing_id": c.catalog_id(OTHER),
        "advert_id": c.catalog_id(OTHER),
        "similar_listing_id": c.catalog_id(),
        "result_listing_ids": c.catalog_ids(),
        "request_id": c.reference(REQUEST_ID, "an erasure request's id in the website's form"),
        "source": c.reference(LANDING_FILE, "a landing file: its folder and name or stand-in"),
        "table_name": c.reference(AUDITED_TABLE, "a table or export file of the warehouse"),
        # enumerations
        "app": c.enumeration(APPS, None),
        "event_type": c.enumeration(EVENT_TYPES, None),
        "action": c.enumeration((*EVENT_TYPES, "search"), None),
        "activity_kind": c.enumeration(("event", "search"), None),
        "locale": c.locale(),
        "browser_family": c.enumeration((*browser_families(), OTHER), "Other"),
        "os_family": c.enumeration(os_families(), "Other"),
        "browser_major": c.version(),
        "device_class": c.enumeration(DEVICE_CLASSES, UNKNOWN),
        "category": c.enumeration((*CATEGORIES, UNKNOWN, OTHER)),
        "district": c.enumeration((*DISTRICTS, UNKNOWN, OTHER)),
        "filter_category": c.enumeration((*CATEGORIES, OTHER)),
        "filter_district": c.enumeration((*DISTRICTS, OTHER)),
        "top_category": c.enumeration((*CATEGORIES, OTHER)),
        "top_district": c.enumeration((*DISTRICTS, OTHER)),
        "scope": c.enumeration(CONSENT_SCOPES, None),
        "status": c.enumeration(ACCOUNT_STATUSES, None),
        "subject_kind": c.enumeration(("user", "anonymous"), None),
        "state": c.enumeration(ERASURE_STATES, None),
        "state_reason": c.enumeration(ERASURE_STATE_REASONS, None),
        "feed": c.enumeration(FEEDS, None),
        "outcome": c.enumeration(OUTCOMES, None),
        "stage": c.enumeration(("ingestion", "guard"), None),
        "rule": c.enumeration(PURGE_RULES, None),
        "change": c.enumeration(PURGE_CHANGES, None),
        "channel": c.enumeration((*CHANNELS, OTHER), None),
        "query_language": c.enumeration(QUERY_LANGUAGES, None),
        "key": c.enumeration(META_KEYS, None),
        "value": c.derived_key(),
        # free text
        "page_url": c.scrubbed_text("a page address: scheme, host, path, allowed parameters"),
        "referrer": c.scrubbed_text("the referring page's address, as page_url"),
        "query": c.scrubbed_text("a search query, normalized"),
        "title": c.scrubbed_text("a listing's title"),
        "entry_page": c.scrubbed_text("the path of a session's first page"),
        # numbers
        "amount_kzt": c.number(-_MONEY, _MONEY, "money paid (negative: a refund)"),
        "price_kzt": c.number(0, _MONEY, "a listing's price"),
        "filter_price_min_kzt": c.number(0, _MONEY, "a price filter"),
        "filter_price_max_kzt": c.number(0, _MONEY, "a price filter"),
        "filter_check_in": c.date_text("a check-in date searched for"),
        "filter_check_out": c.date_text("a check-out date searched for"),
        "filter_guests": c.number(1, 100, "guests searched for"),
        "results_count": c.number(0, 1_000_000, "results a search found"),
        "line_number": c.number(1, 1e9, "a line's number in its file"),
        "size_bytes": c.number(0, 1e13, "a file's size"),
        "rank": c.number(1, 1000, "a place in a list"),
        "score": c.number(-1e12, 1e12, "a recommender score"),
        "strength": c.number(0, 1e9, "a weighted sum of one subject's actions on a listing"),
        "interactions": c.number(0, 1e9, "one subject's actions on a listing"),
        "duration_seconds": c.number(0, 86_400, "a session's length"),
        "activities": c.number(0, 1e9, "a session's events and searches"),
        "page_views": c.number(0, 1e9, "page views of a session or a group"),
        "age_days": c.number(0, 100_000, "an erasure request's age"),
        "top_guests": c.number(1, 100, "the guests most searched for"),
        "top_nights": c.number(-1000, 1000, "the nights most searched for"),
        "rows": count,
        "records": count,
        "searches": count,
        "searchers": count,
        "visitors": count,
        "viewers": count,
        "sessions": count,
        "views": count,
        "search_clicks": count,
        "favorites": count,
        "contact_requests": count,
        "rental_requests": count,
        "bookings": count,
        "refunds": count,
        "impressions": count,
        "clicks": count,
        "grants": count,
        "opt_outs": count,
        "subjects_granted": count,
        "subjects_opted_out": count,
        "subjects": count,
        "pairs": count,
        "revenue_kzt": c.aggregate("revenue, refunds subtracted", None),
        "promotion_revenue_kzt": c.aggregate("promotion revenue, refunds subtracted", None),
        "zero_result_rate": rate,
        "click_through_rate": rate,
        "request_rate": rate,
        "booking_rate": rate,
        "bounce_rate": rate,
        "bot_share": rate,
        # where: coarsened
        "geo_lat": c.coarse_location(),
        "geo_lon": c.coarse_location(),
        "lat": c.coarse_location(),
        "lon": c.coarse_location(),
        # when
        "occurred_at": moment,
        "occurred_at_local": c.local_time(),
        "changed_at": moment,
        "requested_at": moment,
        "settled_at": moment,
        "erased_at": moment,
        "purged_at": moment,
        "since": moment,
        "updated_at": moment,
        "posted_at": moment,
        "expires_at": moment,
        "deleted_at": moment,
        "promoted_until": moment,
        "started_at": moment,
        "ended_at": moment,
        "last_interaction_at": moment,
        "published_at": moment,
        "delivery_day": c.day("a delivery day"),
        "newest_delivery_day": c.day("a delivery day"),
        "activity_date": c.day(),
        "session_date": c.day(),
        "search_date": c.day(),
        "consent_date": c.day(),
        "purged_date": c.day(),
        "requested_date": c.day(),
        "last_active_date": c.day(),
        "day": c.day(),
        # flags
        **{
            name: c.flag(holds)
            for name, holds in {
                "is_bot": "whether the client is a crawler",
                "gpc": "whether the browser sent Global Privacy Control",
                "personalization_allowed": "whether personalization may use the record",
                "marketing_allowed": "whether targeted advertising may use the record",
                "granted": "whether a consent change grants",
                "outstanding_obligations": "whether the user still owed something",
                "is_retired": "whether a listing is deleted or past its posting period",
                "is_available": "whether a listing may be shown",
                "is_promoted": "whether a promotion package was in force",
                "led_to_search": "whether a session searched",
                "led_to_request": "whether a session led to a request",
                "led_to_booking": "whether a session led to a booking",
                "booked": "whether the subject booked the listing",
            }.items()
        },
    }
    # Corrections are counted per column; an outcome's reason is a rule, a defect or that
    # column.
    corrected = (*columns, *_LANDING_ONLY)
    columns["column_name"] = c.enumeration(corrected, None)
    columns["reason"] = c.enumeration((*_EVERY_REASON, *corrected), None)
    return columns


COLUMN_CLASSES: Final[dict[str, PrivacyClass]] = _columns()

# Names whose class differs by table: (table, column) -> class.
TABLE_CLASSES: Final[dict[tuple[str, str], PrivacyClass]] = {
    # the catalog's own ids have no 'other'
    ("listing_versions", "listing_id"): c.catalog_id(),
    ("stg_listing_versions", "listing_id"): c.catalog_id(),
    ("int_listings_current", "listing_id"): c.catalog_id(),
    ("dim_listings", "listing_id"): c.catalog_id(),
}


def class_of(table: str, column: str) -> PrivacyClass:
    """The privacy class of `column` in `table` (its name without schema); KeyError naming
    both when nobody has classified it."""
    found = TABLE_CLASSES.get((table, column)) or COLUMN_CLASSES.get(column)
    if found is None:
        raise KeyError(f"{table}.{column} has no privacy class (add it to ingestion/columns.py)")
    return found
