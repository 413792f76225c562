"""Parsing lines: each value held against its privacy class, in the one statement."""

import json
from datetime import date

import duckdb
import pyarrow as pa
import pytest

from ingestion.feeds import CONSENT, EVENTS, LISTINGS, SEARCHES
from ingestion.parse import correction_columns, parse_sql
from landing.contract import EXAMPLES, plausible_window

GOOD_EVENT = {
    "event_id": "0b7e8d62-3c1a-4f0e-9d7b-6a2f4c8e1b35",
    "event_type": "listing_view",
    "ts": "2024-02-29T23:59:59.123+06:00",
    "user_id": "u_1",
    "anonymous_id": "a_1",
    "device_id": None,
    "ip": "95.56.1.2",
    "x_forwarded_for": None,
    "user_agent": "Mozilla/5.0",
    "app": "web",
    "locale": "ru-KZ",
    "page_url": "https://visitalmaty.kz/listing/lst_1",
    "referrer": None,
    "listing_id": "lst_1",
    "search_id": None,
    "amount_kzt": None,
    "geo": None,
}
GOOD_SEARCH = {
    **{k: GOOD_EVENT[k] for k in ("ts", "user_id", "anonymous_id", "device_id", "ip")},
    **{k: GOOD_EVENT[k] for k in ("x_forwarded_for", "user_agent", "app", "locale", "geo")},
    "search_id": "c1d2e3f4-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
    "query": "шымбұлақ",
    "filters": {"category": "attraction", "guests": 2},
    "results_count": 1,
    "result_listing_ids": ["lst_10234"],
}
DELIVERY_DAY = date(2024, 3, 1)


def _parse(feed, raw_lines: list[bytes | str | None], window=None) -> list[dict]:
    lines = pa.table(
        {
            "source": pa.array(["f.jsonl"] * len(raw_lines)),
            "line_number": pa.array(range(1, len(raw_lines) + 1), pa.int64()),
            "line": pa.array(
                [x.decode() if isinstance(x, bytes) else x for x in raw_lines], pa.large_string()
            ),
            "row_key": pa.array(range(len(raw_lines)), pa.int64()),
        }
    )
    con = duckdb.connect()
    con.register("lines", lines)
    relation = con.sql(parse_sql(feed, "lines", window))
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _line(base: dict, **changes) -> bytes:
    record = {**base, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


def _event(**changes) -> bytes:
    return _line(GOOD_EVENT, **changes)


def _corrected(feed, row: dict) -> set[str]:
    return {c for bit, c in enumerate(correction_columns(feed)) if row["corrections"] >> bit & 1}


def test_a_conforming_event_is_typed_and_not_quarantined() -> None:
    [row] = _parse(EVENTS, [_event()], plausible_window(DELIVERY_DAY))
    assert row["reason"] is None
    assert row["event_type"] == "listing_view"
    assert row["ts"].isoformat() == "2024-02-29T17:59:59.123000+00:00"
    assert row["corrections"] == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"event_id": "e1", "event_ty', "broken_json"),
        (None, "broken_json"),  # not UTF-8: the reader gives no text
        (b"[1, 2, 3]", "broken_json"),
        (_event(event_id=...), "missing_field"),
        (_event(anonymous_id=None), "missing_field"),
        (_event(ts="2024-02-29T23:59:59"), "bad_timestamp"),
        (_event(ts="2024-02-30T10:00:00+06:00"), "bad_timestamp"),
        (_event(ts="2024-02-28T10:00:00+03:00"), "bad_timestamp"),
        (_event(ts="yesterday"), "bad_timestamp"),
        (_event(ts="9999-12-31T00:00:00Z"), "implausible_timestamp"),
        (_event(ts="2023-11-01T10:00:00+06:00"), "implausible_timestamp"),  # 4 months late
        (_event(ts="2024-03-02T01:00:00+05:00"), "implausible_timestamp"),  # hours ahead
        (_event(event_type="share"), "unknown_event_type"),
        (_event(app="smart_tv"), "wrong_type"),
        # the key must have the contract's form: it is stored
        (_event(event_id="e1"), "wrong_type"),
        (_event(event_id="ivan@mail.kz"), "wrong_type"),
    ],
)
def test_each_problem_gets_its_reason(line: bytes, reason: str) -> None:
    [row] = _parse(EVENTS, [line], plausible_window(DELIVERY_DAY))
    assert row["reason"] == reason


@pytest.mark.parametrize(
    "ts",
    [
        "2024-02-29t23:59:59+06:00",  # RFC 3339 allows a lower-case t and z
        "2024-02-29T17:59:59z",
        "2024-02-09T10:00:00+06:00",  # three weeks late
        "2024-03-02T00:20:00+05:00",  # a fast clock, minutes after the day
    ],
)
def test_plausible_moments_are_kept(ts: str) -> None:
    [row] = _parse(EVENTS, [_event(ts=ts)], plausible_window(DELIVERY_DAY))
    assert row["reason"] is None


@pytest.mark.parametrize(
    ("changes", "column", "stored"),
    [
        ({"locale": "ivan@mail.kz"}, "locale", "other"),
        ({"locale": {"lang": "ru"}}, "locale", "other"),
        ({"listing_id": "u_1842"}, "listing_id", None),
        ({"listing_id": "lst_900101300123"}, "listing_id", None),  # an IIN's digits
        ({"search_id": "+77012345678"}, "search_id", None),
        ({"amount_kzt": 77012345678}, "amount_kzt", None),
        ({"amount_kzt": "NaN"}, "amount_kzt", None),
        ({"amount_kzt": 1e999}, "amount_kzt", None),
    ],
)
def test_a_value_outside_its_class_becomes_its_fallback_and_is_counted(
    changes: dict, column: str, stored
) -> None:
    [row] = _parse(EVENTS, [_event(**changes)])
    assert row["reason"] is None
    assert row[column] == stored
    assert _corrected(EVENTS, row) == {column}


def test_a_refund_is_a_valid_amount() -> None:
    [row] = _parse(EVENTS, [_event(event_type="booking", amount_kzt=-95000)])
    assert (row["reason"], row["amount_kzt"], row["corrections"]) == (None, -95000, 0)


def test_a_location_outside_the_globe_or_not_a_number_is_dropped_per_coordinate() -> None:
    rows = _parse(
        EVENTS,
        [
            _event(geo={"lat": 43.2389, "lon": 76.8897, "accuracy_m": 5}),
            _event(geo={"lat": "NaN", "lon": 76.8897}),
            _event(geo={"lat": 91, "lon": {"deg": 1}}),
        ],
    )
    assert [r["geo"] for r in rows] == [
        {"lat": 43.2389, "lon": 76.8897},  # accuracy is never kept
        {"lat": None, "lon": 76.8897},
        {"lat": None, "lon": None},
    ]
    assert [_corrected(EVENTS, r) for r in rows] == [set(), {"geo_lat"}, {"geo_lat"}]


def test_search_filters_and_results_keep_only_what_their_classes_allow() -> None:
    [row] = _parse(
        SEARCHES,
        [
            _line(
                GOOD_SEARCH,
                filters={
                    "category": "tour",
                    "district": "87012345678",
                    "check_in": "2026-01-10",
                    "check_out": "next friday",
                    "guests": 0,
                    "price_min_kzt": 1e12,
                    "price_max_kzt": 50000,
                    "owner": "ivan@mail.kz",  # a key the contract does not have
                },
                result_listing_ids=["lst_1", "u_2", {"id": "lst_3"}, None, "lst_4"],
            )
        ],
    )
    assert row["reason"] is None
    assert row["filters"] == {
        "category": "tour",
        "district": "other",
        "check_in": "2026-01-10",
        "check_out": None,
        "guests": None,
        "price_min_kzt": None,
        "price_max_kzt": 50000.0,
    }
    assert row["result_listing_ids"] == ["lst_1", "lst_4"]
    assert _corrected(SEARCHES, row) == {
        "filter_district",
        "filter_check_out",
        "filter_guests",
        "filter_price_min_kzt",
        "result_listing_ids",
    }


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        # free text kept as written: an object there would be kept as its JSON text
        ({"query": {"q": "ivan@mail.kz"}}, "wrong_type"),
        ({"query": ["hotel"]}, "wrong_type"),
        ({"query": "[1, 2] beds"}, None),  # text that only looks like JSON is text
        ({"results_count": -1}, "wrong_type"),
        ({"results_count": 1_000_001}, "wrong_type"),
        ({"results_count": "many"}, "wrong_type"),  # delivered, but not a number
        ({"results_count": None}, "missing_field"),
        ({"results_count": ...}, "missing_field"),
        ({"result_listing_ids": "lst_1,lst_2"}, "wrong_type"),
        ({"result_listing_ids": ...}, "missing_field"),
    ],
)
def test_a_required_value_absent_or_out_of_bounds_quarantines_the_search(
    changes: dict, reason: str
) -> None:
    [row] = _parse(SEARCHES, [_line(GOOD_SEARCH, **changes)])
    assert row["reason"] == reason


def test_a_listings_optional_moment_out_of_the_era_is_dropped_not_the_listing() -> None:
    listing = {**EXAMPLES["listings"], "expires_at": "9999-12-31T23:59:59Z"}
    [row, bad_id, object_title] = _parse(
        LISTINGS,
        [
            _line(listing),
            _line(listing, listing_id="L1"),
            _line(listing, title={"ru": "Шале", "phone": "+7 701 234 56 78"}),
        ],
    )
    assert (row["reason"], row["expires_at"]) == (None, None)
    assert _corrected(LISTINGS, row) == {"expires_at"}
    assert (object_title["reason"], object_title["title"]) == (None, None)
    assert _corrected(LISTINGS, object_title) == {"expires_at", "title"}
    assert "owner_phone" not in row and "owner_email" not in row  # never even read
    assert bad_id["reason"] == "wrong_type"


def test_blank_lines_are_skipped_and_numbers_stay_true() -> None:
    second = "9b2c7d1e-5f3a-4b6c-8d9e-0f1a2b3c4d5e"
    rows = _parse(EVENTS, [_event(), b"\n", b"  \r\n", _event(event_id=second)])
    assert [(r["line_number"], r["reason"]) for r in rows] == [(1, None), (4, None)]


def test_consent_needs_a_user_or_an_anonymous_id() -> None:
    base = {"ts": "2026-01-01T10:00:00+05:00", "scope": "analytics", "granted": False}
    rows = _parse(
        CONSENT,
        [
            json.dumps({**base, "user_id": None, "anonymous_id": None}).encode(),
            json.dumps({**base, "user_id": None, "anonymous_id": "a_1"}).encode(),
            json.dumps({**base, "user_id": "u_1", "anonymous_id": None, "scope": "email"}).encode(),
            json.dumps({**base, "user_id": "u_1", "ts": "1970-01-01T00:00:00Z"}).encode(),
        ],
    )
    assert [r["reason"] for r in rows] == [
        "missing_field",
        None,
        "wrong_type",
        "implausible_timestamp",
    ]
