"""Privacy by construction for any input: personal data planted anywhere in any feed never
reaches the warehouse, and no record, however odd, stops a run.

Hypothesis builds landing zones from conforming records of every feed, then puts into
fields chosen at random (every field of every feed, the keys and values of nested objects,
fields the contract lacks, and file names) generated text, numbers, nested objects and
arrays, and planted identifiers: e-mail addresses, phone numbers, IIN/BIN and card numbers
in any grouping and digit system, with invisible characters, IP addresses, account ids,
UUIDs and JWTs, as they are, inside text, inside URLs (percent-encoded too), nested. The
real ingestion runs (privacy rules, listings, a delivery day, the guard, which must find
nothing the rules let through); then every value of every table, and every file of the
warehouse decoded (tests/lake_files.py), are searched for each planted value, its lower-cased
form and its digits: none may be found, except as a placeholder.

The one exception is a column whose class is the website's own random record id (a UUID):
a planted UUID used as a record's `event_id` or `search_id` is that record's id.
"""

from __future__ import annotations

import json
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.columns import class_of
from ingestion.daily import describe_day
from ingestion.lake import connect_lake
from landing.contract import EXAMPLES
from tests.conftest import Zone
from tests.lake_files import decoded_lake

DAY = date(2026, 3, 1)
AS_OF = date(2026, 3, 10)
TS = "2026-03-01T10:15:00+05:00"
SEPARATORS = (" ", "-", ".", "/", "_", "\u00a0", "\u2013", "\u2014", "(", ")", " - ", "")
INVISIBLE = ("\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff", "\u200e")
# Decimal digit systems: ASCII, Arabic-Indic, extended Arabic-Indic, Devanagari, full-width.
DIGIT_ZEROS = (0x30, 0x660, 0x6F0, 0x966, 0xFF10)


@dataclass
class Planted:
    """What was planted in one zone: each value, in the forms that must never be stored."""

    values: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)

    def forms(self) -> list[tuple[str, str, str]]:
        """(kind, value, form) for every form to search for."""
        out = []
        for kind, value in self.values:
            out.append((kind, value, value))
            out.append((kind, value, value.lower()))
            digits = _digits(value)
            if kind in ("phone", "iin", "card") and len(digits) >= 9:
                out.append((kind, value, digits))
        return out


def _digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None
    )


def _luhn_complete(body: str) -> str:
    """`body` with the check digit that makes it pass the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(body + "0")):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


@st.composite
def _grouped(
    draw: st.DrawFn, digits: str, sizes: tuple[int, int] = (1, 5), one_separator: bool = False
) -> str:
    """`digits` in groups of `sizes`, with separators (one repeated throughout, or any), in
    any digit system, perhaps with invisible characters between them: the spellings the
    rules of `privacy.detect` say they find."""
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    groups, rest = [], digits
    while rest:
        size = draw(st.integers(*sizes))
        if 0 < len(rest) - size < sizes[0]:  # no group shorter than allowed at the end
            size = len(rest)
        groups.append("".join(chr(zero + int(d)) for d in rest[:size]))
        rest = rest[size:]
    repeated = draw(st.sampled_from(SEPARATORS))
    out = groups[0]
    for group in groups[1:]:
        separator = repeated if one_separator else draw(st.sampled_from(SEPARATORS))
        if draw(st.booleans()) and draw(st.booleans()):
            separator += draw(st.sampled_from(INVISIBLE))
        out += separator + group
    return out


def _varied(length: int) -> st.SearchStrategy[str]:
    """Digit strings that look like a person's number, not a repeated digit."""
    return st.text(string.digits, min_size=length, max_size=length).filter(
        lambda d: len(set(d)) >= 4
    )


@st.composite
def _national_phone(draw: st.DrawFn) -> str:
    """A Kazakh number without "+": 8 or 7 or nothing, the operator code as its own group,
    then seven digits in groups of two or more."""
    code = "7" + draw(st.text("0123456789", min_size=2, max_size=2))
    rest = draw(_varied(7))
    prefix = draw(st.sampled_from(("8", "7", "")))
    separator = draw(st.sampled_from([s for s in SEPARATORS if s not in ("", "(", ")")]))
    body = f"({code})" if draw(st.booleans()) else code
    return (prefix + separator if prefix else "") + body + separator + draw(_grouped(rest, (2, 4)))


# The number kinds the rules find in any grouping: a phone after "+", a national phone, an
# IIN or BIN (year and month first, as they begin) and a card, in one block or groups.
PHONE = st.one_of(
    _varied(9).flatmap(lambda d: _grouped("77" + d).map(lambda g: "+" + g)),
    _national_phone(),
)
IIN = st.tuples(st.integers(0, 99), st.integers(1, 12), st.integers(1, 28), _varied(6)).flatmap(
    lambda p: _grouped(f"{p[0]:02d}{p[1]:02d}{p[2]:02d}{p[3]}", (3, 4), True)
)
CARD = (
    _varied(15)
    .map(lambda d: _luhn_complete("4" + d[1:]))
    .flatmap(lambda d: _grouped(d, (3, 6), True))
)
EMAIL = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z][a-z0-9._+]{2,12}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{2,10}[a-z]", fullmatch=True),
    st.sampled_from(("kz", "ru", "com", "org")),
)
ACCOUNT = st.integers(1000, 99_999_999).map(lambda n: f"u_{n}")
# Host bits set: a network's own address is what coarsening keeps, not a planted address.
IPV4 = st.ip_addresses(v=4).filter(lambda a: int(a) & 0xFF).map(str)
IPV6 = st.ip_addresses(v=6).filter(lambda a: int(a) & (2**80 - 1)).map(str)
UUIDS = st.uuids().map(str)
JWT = st.tuples(
    st.text(string.ascii_letters + string.digits + "-_", min_size=20, max_size=40),
    st.text(string.ascii_letters + string.digits + "-_", min_size=20, max_size=40),
).map(lambda parts: f"eyJhbGciOiJIUzI1NiJ9.{parts[0]}.{parts[1]}")

KINDS = {
    "email": EMAIL,
    "phone": PHONE,
    "iin": IIN,
    "card": CARD,
    "ipv4": IPV4,
    "ipv6": IPV6,
    "account": ACCOUNT,
    "uuid": UUIDS,
    "jwt": JWT,
}


@st.composite
def _planted_value(draw: st.DrawFn, planted: Planted):
    """A JSON value holding a freshly planted identifier, in one of the shapes a producer
    could deliver it in."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    value = draw(KINDS[kind])
    planted.values.append((kind, value))
    words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
    shape = draw(st.integers(0, 7))
    if shape == 0:
        return value
    if shape == 1:
        return f"{draw(words)} {value} {draw(words)}"
    if shape == 2:
        return f"https://visitalmaty.kz/ru/user/{quote(value, safe='')}/bookings"
    if shape == 3:
        encoded = quote(value, safe="")
        return f"https://visitalmaty.kz/search?utm_source={quote(encoded, safe='')}&q={encoded}"
    if shape == 4:
        return {"value": value, "nested": [value]}
    if shape == 5:
        return [value, draw(words)]
    if shape == 6 and _digits(value) and kind in ("phone", "iin", "card"):
        return int(_digits(value))
    return f"{value}{draw(st.sampled_from(INVISIBLE))}"


NOISE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.just({"deep": {"deeper": [1, "two", None]}}),
    st.just([]),
)


def _paths(record: dict) -> list[tuple[str, ...]]:
    """Every field of a record, and the fields of its objects."""
    paths: list[tuple[str, ...]] = []
    for key, value in record.items():
        paths.append((key,))
        if isinstance(value, dict):
            paths += [(key, sub) for sub in value]
    return paths


@st.composite
def _record(draw: st.DrawFn, feed: str, planted: Planted, index: int) -> dict:
    record = json.loads(json.dumps(EXAMPLES[feed]))
    record.update(_fresh_ids(feed, index))
    paths = [*_paths(record), ("extra_field",)]
    if feed == "searches":
        paths += [("filters", key) for key in ("district", "check_in", "check_out", "owner")]
        paths += [("result_listing_ids",)]
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        value = draw(
            st.one_of(_planted_value(planted), NOISE)
            if draw(st.booleans())
            else _planted_value(planted)
        )
        target = record
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[path[-1]] = value
    return record


def _fresh_ids(feed: str, index: int) -> dict:
    """Ids that make each record its own (the examples share theirs)."""
    uuid = f"00000000-0000-4000-8000-{index:012d}"
    return {
        "events": {"event_id": uuid, "ts": TS, "anonymous_id": f"a-{index}"},
        "searches": {"search_id": uuid, "ts": TS, "anonymous_id": f"a-{index}"},
        "consent": {"anonymous_id": f"a-{index}"},
        "accounts": {"user_id": f"u_{index}"},
        "erasure_requests": {"request_id": f"er_{index:06d}", "user_id": f"u_{index}"},
        "listings": {"listing_id": f"lst_{10000 + index}"},
    }[feed]


FOLDERS = {
    "events": f"events/date={DAY}",
    "searches": f"searches/date={DAY}",
    "consent": "privacy/consent",
    "accounts": "privacy/accounts",
    "erasure_requests": "privacy/erasure_requests",
    "listings": "catalog/listings",
}


@st.composite
def zones(draw: st.DrawFn) -> tuple[dict[str, list[tuple[str, list[dict]]]], Planted]:
    """Per feed, files (name, records) of mostly conforming records with planted values."""
    planted = Planted()
    zone: dict[str, list[tuple[str, list[dict]]]] = {}
    for number, feed in enumerate(FOLDERS):
        count = draw(st.integers(1, 4))
        records = [draw(_record(feed, planted, number * 100 + i)) for i in range(count)]
        name = f"{feed}-001.jsonl"
        if draw(st.integers(0, 3)) == 0:  # a file name holding personal data
            kind, value = "email", draw(EMAIL)
            planted.values.append((kind, value))
            name = f"{feed}-{value}.jsonl"
        zone[feed] = [(name, records)]
    return zone, planted


def _write(root: Path, zone: dict[str, list[tuple[str, list[dict]]]]) -> None:
    for feed, files in zone.items():
        folder = root / FOLDERS[feed]
        folder.mkdir(parents=True, exist_ok=True)
        for name, records in files:
            lines = (json.dumps(r, ensure_ascii=bool(i % 2)) for i, r in enumerate(records))
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _stored_texts(warehouse: Path) -> list[tuple[str, str, str]]:
    """(table, column, text) of every value of every table, lists flattened, numbers as text."""
    out = []
    with connect_lake(warehouse, read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where not temporary"
        ).fetchall()
        for schema, table in tables:
            cursor = con.execute(f"select * from {schema}.{table}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            out.append((table, column, item))
                        elif _is_number(item):
                            out.append((table, column, str(int(item))))
    return out


def _is_number(value) -> bool:
    """A finite number (a bool is not one here)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value
        and abs(value) < 1e30
    )


def _is_record_id(table: str, column: str) -> bool:
    return class_of(table, column).name == "record id"


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(zones())
def test_no_planted_value_is_stored_and_no_record_stops_the_run(tmp_path_factory, example) -> None:
    zone, planted = example
    root = tmp_path_factory.mktemp("any-input")
    warehouse = root / "warehouse"
    _write(root / "landing", zone)
    results = Zone(root / "landing", warehouse).ingest(DAY.isoformat(), as_of=AS_OF)
    # the rules alone kept everything out: the guard before the commit had nothing to do
    assert {result.feed: result.guarded for result in results} == {"events": {}, "searches": {}}
    printed = [describe_day(result) for result in results]
    stored = _stored_texts(warehouse)
    raw = decoded_lake(warehouse)
    for kind, value, form in planted.forms():
        for table, column, text in stored:
            if kind == "uuid" and _is_record_id(table, column):
                continue
            assert form not in text and form not in _digits(text), (kind, value, table, column)
        assert all(form not in line for line in printed), (kind, value)
        if len(form) >= 8 and kind != "uuid":
            assert form.encode() not in raw, (kind, value, "in the warehouse's files")
