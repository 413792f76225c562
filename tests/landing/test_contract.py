"""The contract validator: what it accepts, what it rejects and why, and the zone layout."""

from __future__ import annotations

import copy
import gzip
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from landing.contract import (
    BAD_IP,
    BAD_TIMESTAMP,
    BROKEN_JSON,
    EXAMPLES,
    FEEDS,
    IMPLAUSIBLE_TIMESTAMP,
    MISSING_FIELD,
    SCHEMAS,
    UNKNOWN_EVENT_TYPE,
    WRONG_TYPE,
    check_record,
    iter_zone_files,
    open_lines,
)


def _line(feed: str, **changes: Any) -> bytes:
    """The feed's example with fields changed; a value of ... removes the field."""
    record = copy.deepcopy(EXAMPLES[feed])
    for key, value in changes.items():
        if value is ...:
            del record[key]
        else:
            record[key] = value
    return orjson.dumps(record)


@pytest.mark.parametrize("feed", FEEDS)
def test_schemas_are_valid_draft_2020_12(feed: str) -> None:
    Draft202012Validator.check_schema(SCHEMAS[feed])


@pytest.mark.parametrize("feed", FEEDS)
def test_the_contract_examples_conform(feed: str) -> None:
    assert check_record(feed, orjson.dumps(EXAMPLES[feed])) is None
    assert check_record(feed, orjson.dumps(EXAMPLES[feed]).decode()) is None


@pytest.mark.parametrize(
    ("feed", "line"),
    [
        ("events", _line("events", gpc=False)),
        ("events", _line("events", ts="2026-03-01T10:15:00Z")),
        ("events", _line("events", ts="2023-12-31t23:59:59.5+06:00")),  # RFC 3339 allows t
        ("events", _line("events", ip="::ffff:95.56.1.2")),
        ("events", _line("events", x_forwarded_for="[2a03:32c0::1]:51234, 10.0.0.7")),
        ("events", _line("events", x_forwarded_for="95.56.1.2:443, 10.0.0.7, 162.158.1.1")),
        ("events", _line("events", geo={"lat": 43.2, "lon": 76.9})),
        ("events", _line("events", amount_kzt=95000.5, sdk_version="4.2.0")),  # extra field
        ("searches", _line("searches", filters={}, result_listing_ids=[], results_count=0)),
        ("consent", _line("consent", user_id="u_1842", anonymous_id=None)),
        ("erasure_requests", _line("erasure_requests", settled_at="2026-03-04T08:00:00Z")),
        ("listings", _line("listings", lat=None, lon=None, price_kzt=None)),
        # entries that name no client are skipped for the next one
        ("searches", _line("searches", x_forwarded_for="unknown, 10.0.0.7")),
        ("searches", _line("searches", x_forwarded_for="_hidden, , 95.56.1.2")),
        ("events", _line("events", event_type="booking", amount_kzt=-95000)),  # a refund
    ],
)
def test_variations_the_contract_allows_conform(feed: str, line: bytes) -> None:
    assert check_record(feed, line) is None


@pytest.mark.parametrize(
    ("ts", "reason"),
    [
        ("2026-03-01T10:15:00+05:00", None),
        ("2026-01-15T10:15:00+05:00", None),  # six weeks late: a phone offline
        ("2026-03-02T00:20:00+05:00", None),  # a clock some minutes fast
        ("2025-11-01T10:15:00+05:00", IMPLAUSIBLE_TIMESTAMP),  # four months late
        ("2026-03-02T01:00:00+05:00", IMPLAUSIBLE_TIMESTAMP),  # an hour into the next day
        ("9999-12-31T23:59:59Z", IMPLAUSIBLE_TIMESTAMP),
        ("1970-01-01T00:00:00Z", IMPLAUSIBLE_TIMESTAMP),
    ],
)
def test_a_usage_records_moment_must_fit_its_delivery_day(ts: str, reason: str | None) -> None:
    assert check_record("events", _line("events", ts=ts), date(2026, 3, 1)) == reason


def test_other_feeds_moments_must_fall_in_the_era() -> None:
    assert check_record("consent", _line("consent", ts="9999-01-01T00:00:00Z")) == (
        IMPLAUSIBLE_TIMESTAMP
    )
    assert check_record("listings", _line("listings", updated_at="1999-12-31T00:00:00Z")) == (
        IMPLAUSIBLE_TIMESTAMP
    )


@pytest.mark.parametrize(
    ("feed", "line", "reason"),
    [
        ("events", b'{"event_id":"0b7e8d62","event_type":"pag', BROKEN_JSON),
        ("events", b"", BROKEN_JSON),
        ("events", b'{"ts": NaN}', BROKEN_JSON),
        ("searches", b'{"query":"\xff"}', BROKEN_JSON),  # not UTF-8
        ("events", _line("events", anonymous_id=...), MISSING_FIELD),
        ("events", _line("events", referrer=...), MISSING_FIELD),  # nullable is not optional
        ("searches", _line("searches", result_listing_ids=...), MISSING_FIELD),
        ("consent", _line("consent", user_id=None, anonymous_id=None), MISSING_FIELD),
        ("erasure_requests", _line("erasure_requests", settled_at=...), MISSING_FIELD),
        ("events", b"[1, 2]", WRONG_TYPE),
        ("events", _line("events", gpc=None), WRONG_TYPE),  # boolean or absent, never null
        ("events", _line("events", user_id=1842), WRONG_TYPE),
        ("events", _line("events", app="iphone"), WRONG_TYPE),
        ("events", _line("events", event_id="e1"), WRONG_TYPE),  # record ids are UUIDs
        ("events", _line("events", listing_id="L1"), WRONG_TYPE),  # listing ids: lst_10234
        ("searches", _line("searches", result_listing_ids=["u_1842"]), WRONG_TYPE),
        ("listings", _line("listings", listing_id="lst_"), WRONG_TYPE),
        ("events", _line("events", anonymous_id=""), WRONG_TYPE),
        ("events", _line("events", amount_kzt="12000"), WRONG_TYPE),
        ("events", _line("events", geo={"lat": 143.2, "lon": 76.9}), WRONG_TYPE),
        ("searches", _line("searches", results_count="1"), WRONG_TYPE),
        ("searches", _line("searches", filters={"guests": 0}), WRONG_TYPE),
        ("searches", _line("searches", filters={"check_in": "01.03.2026"}), WRONG_TYPE),
        ("consent", _line("consent", scope="cookies"), WRONG_TYPE),
        ("accounts", _line("accounts", status="deleted"), WRONG_TYPE),
        ("listings", _line("listings", category="hotel"), WRONG_TYPE),
        ("events", _line("events", event_type="screen_view"), UNKNOWN_EVENT_TYPE),
        ("events", _line("events", ts="2026-03-01T10:15:00.123"), BAD_TIMESTAMP),  # no offset
        ("events", _line("events", ts="2026-03-01 10:15:00+05:00"), BAD_TIMESTAMP),
        ("events", _line("events", ts="2026-03-01T10:15:00+03:00"), BAD_TIMESTAMP),
        ("events", _line("events", ts="2026-02-30T10:15:00+05:00"), BAD_TIMESTAMP),
        ("events", _line("events", ts="2026-03-01T23:59:60Z"), BAD_TIMESTAMP),
        ("events", _line("events", ts="1709264100"), BAD_TIMESTAMP),
        ("erasure_requests", _line("erasure_requests", settled_at="tomorrow"), BAD_TIMESTAMP),
        ("listings", _line("listings", promoted_until="2026-13-01T00:00:00+05:00"), BAD_TIMESTAMP),
        ("events", _line("events", ip="unknown"), BAD_IP),
        ("events", _line("events", ip="300.1.2.3"), BAD_IP),
        ("events", _line("events", ip="95.56.1.2:443"), BAD_IP),  # ip itself is bare
        ("searches", _line("searches", x_forwarded_for="-, 10.0.0.7"), BAD_IP),
        ("searches", _line("searches", x_forwarded_for="[95.56.1.2:443, 10.0.0.7"), BAD_IP),
    ],
)
def test_each_defect_gets_its_reason(feed: str, line: bytes, reason: str) -> None:
    assert check_record(feed, line) == reason


def test_a_line_with_several_defects_gets_the_first_reason_in_order() -> None:
    line = _line("events", anonymous_id=..., ip="unknown", ts="yesterday")
    assert check_record("events", line) == MISSING_FIELD
    assert check_record("events", _line("events", ip="unknown", ts="yesterday")) == BAD_TIMESTAMP


def test_an_unknown_feed_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        check_record("bookings", b"{}")


def _touch(path: Path, data: bytes = b"{}\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_iter_zone_files_follows_the_layout_and_skips_the_rest(tmp_path: Path) -> None:
    expected = [
        ("events", _touch(tmp_path / "events/date=2024-03-01/a.jsonl")),
        ("events", _touch(tmp_path / "events/date=2024-03-01/b.jsonl.gz")),
        ("events", _touch(tmp_path / "events/date=2024-03-02/a.jsonl")),
        ("searches", _touch(tmp_path / "searches/date=2024-03-01/a.jsonl")),
        ("consent", _touch(tmp_path / "privacy/consent/consent-2024-03-01.jsonl")),
        ("accounts", _touch(tmp_path / "privacy/accounts/accounts-2024-03-01.jsonl.gz")),
        ("erasure_requests", _touch(tmp_path / "privacy/erasure_requests/e.jsonl")),
        ("listings", _touch(tmp_path / "catalog/listings/l.jsonl")),
    ]
    for stray in (
        "events/date=2024-03-01/.a.jsonl.tmp",  # a producer still writing
        "events/date=2024-03-01/.hidden.jsonl",
        "events/date=2024-03-01/_SUCCESS",
        "events/date=2024-13-01/a.jsonl",  # not a date
        "events/date=2024-W09-5/a.jsonl",
        "events/a.jsonl",  # outside a day folder
        "privacy/consent/notes.txt",
        "privacy/other/a.jsonl",
    ):
        _touch(tmp_path / stray)
    assert list(iter_zone_files(tmp_path)) == expected
    assert list(iter_zone_files(tmp_path / "missing")) == []


def test_open_lines_reads_plain_and_gzip_files_without_line_ends(tmp_path: Path) -> None:
    data = b'{"a":1}\n{"b":2}\r\n{"c":3}'
    plain = _touch(tmp_path / "x.jsonl", data)
    packed = _touch(tmp_path / "x.jsonl.gz", gzip.compress(data + b"\n"))
    assert list(open_lines(plain)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']
    assert list(open_lines(packed)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']
