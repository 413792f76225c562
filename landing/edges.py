"""The edge cases a sample zone contains, as bits carried by every generated line.

Lines carry an int64 of these flags from the moment they are built until they are
written, so the summary counts exactly what reached the disk (late lines that would
arrive after the last day, for instance, are not counted).
"""

from __future__ import annotations

import numpy as np

EDGE_CASES: tuple[str, ...] = (
    # delivery (all feeds)
    "duplicate",  # a line delivered again: same file, another file, or the next day
    "late",  # an app event delivered one or more days after it happened
    "clock_skew",  # a client event stamped minutes after its delivery day ended
    "malformed_broken_json",
    "malformed_missing_field",
    "malformed_wrong_type",
    "malformed_unknown_event_type",
    "malformed_bad_timestamp",
    "malformed_implausible_timestamp",
    "malformed_bad_ip",
    "offset_plus_06",  # a timestamp from before 2024-03-01, with +06:00
    "utc_z",  # a timestamp written in UTC (server-side events, erasure requests)
    # who and where (events and searches)
    "ipv6",
    "ipv4_mapped",  # ip written as ::ffff:a.b.c.d
    "x_forwarded_for",  # a proxy chain; ip is the last proxy
    "gpc_true",
    "gpc_false",
    "null_user_agent",
    "zeroed_device_id",  # ad tracking off: 00000000-0000-0000-0000-000000000000
    "bot",
    "geo",
    "geo_without_consent",  # geo from a subject that never granted geolocation
    "pii_url",  # an e-mail address or phone number in page_url's query string
    # searches
    "pii_query",
    "card_number",
    "zero_result_search",
    # privacy feeds and catalog
    "consent_opt_out",
    "consent_regrant",  # a grant after an opt-out of the same subject and scope
    "consent_anonymous_only",
    "account_terminated_over_3y",  # terminated more than three years before the start
    "account_terminated_recent",  # terminated within the three years before the start
    "account_terminated_in_range",
    "account_reopened",
    "erasure_free",  # no outstanding obligations: may run at once
    "erasure_outstanding",  # requested with obligations outstanding
    "erasure_settled",  # the later line adding settled_at
    "listing_deleted",
    "listing_promoted",
    "listing_price_change",
    "advert_expires_in_range",
)
assert len(EDGE_CASES) < 63


def flag(name: str) -> int:
    """The bit of edge case `name`."""
    return 1 << EDGE_CASES.index(name)


def count_edges(bits: np.ndarray) -> np.ndarray:
    """How many of `bits` have each edge case, in EDGE_CASES order."""
    bits = np.asarray(bits, dtype=np.int64)
    return np.array([np.count_nonzero(bits & (1 << i)) for i in range(len(EDGE_CASES))])
