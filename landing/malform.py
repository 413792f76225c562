"""The malformed lines a real producer writes, one defect per line.

Each function returns a line that `landing.contract.check_record` rejects with exactly the
intended reason, so tests can compare what the validator finds with the profile's rates.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import orjson

from landing.contract import (
    BAD_IP,
    BAD_TIMESTAMP,
    IMPLAUSIBLE_TIMESTAMP,
    MISSING_FIELD,
    UNKNOWN_EVENT_TYPE,
    WRONG_TYPE,
)

# Fields a buggy producer drops, and wrong values it writes, per feed.
_DROPPED = {
    "events": ("anonymous_id", "ts", "event_type", "app", "page_url"),
    "searches": ("anonymous_id", "ts", "query", "result_listing_ids"),
}
_WRONG_VALUES = {
    "events": (
        ("app", "iPhone"),
        ("event_id", 184467),
        ("amount_kzt", "12 000 ₸"),
        ("geo", "43.2389,76.8897"),
    ),
    "searches": (
        ("results_count", "10"),
        ("result_listing_ids", "lst_10001,lst_10002"),
        ("filters", "category=tour"),
        ("app", "Android"),
    ),
}
_UNKNOWN_EVENT_TYPES = ("screen_view", "app_open", "pageview", "add_to_cart")
_BAD_ADDRESSES = ("unknown", "300.1.2.3", "-", "", "95.56.1")
# In a proxy chain an empty or `unknown` entry is skipped for the next one: only these break it.
_BAD_CHAIN_ENTRIES = ("300.1.2.3", "-", "95.56.1")
# A device clock reset to the epoch, a producer's "no date" placeholder, a year-old stamp.
_IMPLAUSIBLE_TIMESTAMPS = ("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z")


def truncated(line: str, rng: np.random.Generator) -> str:
    """A partial write: the line cut short (a proper prefix of an object is never JSON)."""
    return line[: int(rng.integers(1, len(line)))]


def _bad_timestamp(ts: str, rng: np.random.Generator) -> str:
    local = ts[:-1] if ts.endswith("Z") else ts[:-6]
    variants = (
        local,  # no offset: which zone?
        local.replace("T", " "),
        local + "+03:00",  # not an Almaty offset
        local[:5] + "13" + local[7:],  # month 13
        local[:8] + "31" + local[10:]
        if local[5:7] in ("02", "04", "06", "09", "11")
        else local[:8] + "32" + local[10:],
        "1709264100",
    )
    return variants[int(rng.integers(0, len(variants)))]


def corrupted(feed: str, reason: str, line: str, rng: np.random.Generator) -> str:
    """`line` (a conforming event or search) with one defect that `reason` names."""
    record = orjson.loads(line)
    if reason == MISSING_FIELD:
        fields = _DROPPED[feed]
        del record[fields[int(rng.integers(0, len(fields)))]]
    elif reason == WRONG_TYPE:
        options = _WRONG_VALUES[feed]
        key, value = options[int(rng.integers(0, len(options)))]
        record[key] = value
    elif reason == BAD_TIMESTAMP:
        record["ts"] = _bad_timestamp(record["ts"], rng)
    elif reason == UNKNOWN_EVENT_TYPE:
        record["event_type"] = _UNKNOWN_EVENT_TYPES[int(rng.integers(0, len(_UNKNOWN_EVENT_TYPES)))]
    elif reason == IMPLAUSIBLE_TIMESTAMP:
        choice = int(rng.integers(0, len(_IMPLAUSIBLE_TIMESTAMPS) + 1))
        if choice < len(_IMPLAUSIBLE_TIMESTAMPS):
            record["ts"] = _IMPLAUSIBLE_TIMESTAMPS[choice]
        else:  # in the offset it had, so only its moment is wrong
            moment = datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
            stamp = (moment - timedelta(days=400)).isoformat(timespec="milliseconds")
            record["ts"] = stamp.replace("+00:00", "Z")
    elif reason == BAD_IP:
        if record["x_forwarded_for"] is not None and rng.random() < 0.5:
            bad = _BAD_CHAIN_ENTRIES[int(rng.integers(0, len(_BAD_CHAIN_ENTRIES)))]
            record["x_forwarded_for"] = f"{bad}, {record['x_forwarded_for']}"
        else:
            record["ip"] = _BAD_ADDRESSES[int(rng.integers(0, len(_BAD_ADDRESSES)))]
    else:
        raise ValueError(f"no corruption for reason {reason!r}")
    return orjson.dumps(record).decode()
