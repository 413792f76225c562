import json

import duckdb
import pyarrow as pa
import pytest

from ingestion.feeds import CONSENT, EVENTS
from ingestion.parse import parse_sql

GOOD_EVENT = {
    "event_id": "e1",
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
    "page_url": "https://visitalmaty.kz/listing/L1",
    "referrer": None,
    "listing_id": "L1",
    "search_id": None,
    "amount_kzt": None,
    "geo": None,
}


def _parse(feed, raw_lines: list[bytes | str | None]) -> list[dict]:
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
    relation = con.sql(parse_sql(feed, "lines"))
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _event(**changes) -> bytes:
    record = {**GOOD_EVENT, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


def test_a_conforming_event_is_typed_and_not_quarantined() -> None:
    [row] = _parse(EVENTS, [_event()])
    assert row["reason"] is None
    assert row["event_type"] == "listing_view"
    assert row["ts"].isoformat() == "2024-02-29T17:59:59.123000+00:00"


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
        (_event(event_type="share"), "unknown_event_type"),
        (_event(app="smart_tv"), "wrong_type"),
    ],
)
def test_each_problem_gets_its_reason(line: bytes, reason: str) -> None:
    [row] = _parse(EVENTS, [line])
    assert row["reason"] == reason


def test_blank_lines_are_skipped_and_numbers_stay_true() -> None:
    rows = _parse(EVENTS, [_event(), b"\n", b"  \r\n", _event(event_id="e2")])
    assert [(r["line_number"], r["reason"]) for r in rows] == [(1, None), (4, None)]


def test_consent_needs_a_user_or_an_anonymous_id() -> None:
    base = {"ts": "2026-01-01T10:00:00+05:00", "scope": "analytics", "granted": False}
    rows = _parse(
        CONSENT,
        [
            json.dumps({**base, "user_id": None, "anonymous_id": None}).encode(),
            json.dumps({**base, "user_id": None, "anonymous_id": "a_1"}).encode(),
            json.dumps({**base, "user_id": "u_1", "anonymous_id": None, "scope": "email"}).encode(),
        ],
    )
    assert [r["reason"] for r in rows] == ["missing_field", None, "wrong_type"]
