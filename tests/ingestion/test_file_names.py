"""A landing file's name reaches the warehouse and its messages only if it has the expected form;
any other file is recorded as its folder and its position there."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ingestion.lines import LandingFileError, has_expected_name, recorded_files

DAY = "2026-01-10"
TS = "2026-01-10T12:00:00+05:00"
EMAIL_NAME = "jane.doe@example.com.jsonl"
PHONE_NAME = "87011234567.jsonl.gz"


@pytest.mark.parametrize(
    "name",
    [
        "events-web-000.jsonl.gz",  # the sample generator's names
        "searches-android-017.jsonl",
        "listings-2025-12-15.jsonl",
        "erasure_requests-2025-12-15.jsonl.gz",
        "part-001.jsonl",  # the tests'
        "late.jsonl.gz",
        "bench-refusals.jsonl",
        "events-2026-01-10-web-0003.jsonl",
    ],
)
def test_names_of_the_expected_form_are_kept(name: str) -> None:
    assert has_expected_name(name)


@pytest.mark.parametrize(
    "name",
    [
        EMAIL_NAME,
        PHONE_NAME,
        "+7 701 123 45 67.jsonl",
        "call-8-701-123-45-67.jsonl",  # short groups, but more numbers than a counter
        "part-87011234567.jsonl",  # a long digit run
        "850101300123.jsonl",  # an IIN
        "card-4111-1111-1111-1111.jsonl",
        "u_1842.jsonl",  # an account id: digits within a word
        "events-2026-13-01.jsonl",  # not a date, so three numbers
        "Part-001.jsonl",
        "part-001.json",
        "part.001.jsonl",
        "événements.jsonl",
        "-part.jsonl",
        "part-.jsonl",
        ".jsonl",
        "a" * 120 + ".jsonl",
    ],
)
def test_any_other_name_is_not(name: str) -> None:
    assert not has_expected_name(name)


def test_a_stand_in_is_the_folder_and_the_position_in_it(tmp_path: Path) -> None:
    folder = tmp_path / f"events/date={DAY}"
    names = ["b.jsonl", EMAIL_NAME, "a.jsonl", "+77011234567.jsonl"]  # name order: + a b j
    files = [folder / name for name in names] + [tmp_path / "privacy/consent" / EMAIL_NAME]
    assert [name for _, name in recorded_files(tmp_path, files)] == [
        f"events/date={DAY}/b.jsonl",
        f"events/date={DAY}/#4",
        f"events/date={DAY}/a.jsonl",
        f"events/date={DAY}/#1",
        "privacy/consent/#1",
    ]


def _write(path: Path, lines: list[bytes], gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = b"".join(line + b"\n" for line in lines)
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


def _records_naming(zone, text: str) -> list[tuple]:
    """Rows of the bookkeeping tables whose file name contains `text`."""
    return zone.query(
        "select 'quarantine', source from ingested.quarantine where contains(source, ?) "
        "union all select 'landing_files', source from ingested.landing_files "
        "where contains(source, ?)",
        [text, text],
    )


def test_a_file_named_with_an_e_mail_address_is_recorded_by_its_position(zone) -> None:
    good = json.dumps(zone.event("e1", TS)).encode()
    zone.events(DAY, [zone.event("e2", TS)])  # part-001.jsonl
    _write(zone.root / f"events/date={DAY}" / EMAIL_NAME, [good, b"{broken"])
    consent = {"user_id": None, "anonymous_id": "a_x", "ts": TS, "scope": "analytics"}
    _write(zone.root / "privacy/consent" / EMAIL_NAME, [json.dumps(consent).encode()])
    zone.ingest(DAY)
    assert zone.query("select count(*) from ingested.events") == [(2,)]
    assert sorted(zone.query("select feed, source, line_number from ingested.quarantine")) == [
        ("consent", "privacy/consent/#1", 1),  # `granted` is missing
        ("events", f"events/date={DAY}/#1", 2),  # "jane..." sorts before "part-001.jsonl"
    ]
    assert sorted(zone.query("select source from ingested.landing_files")) == [
        (f"events/date={DAY}/#1",),
        (f"events/date={DAY}/part-001.jsonl",),
    ]
    assert _records_naming(zone, "@") == []
    assert _records_naming(zone, "jane") == []


def test_an_unreadable_file_named_with_a_phone_number_is_named_by_its_position(zone) -> None:
    zone.events(DAY, [zone.event("e1", TS)])
    zone.ingest(DAY)
    path = _write(zone.root / f"events/date={DAY}" / PHONE_NAME, [b'{"x": 1}'] * 10_000, gz=True)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(LandingFileError) as caught:
        zone.ingest(DAY)
    assert str(caught.value) == f"events/date={DAY}/#1: the gzip stream is truncated"
    assert zone.query("select source from ingested.landing_files") == [
        (f"events/date={DAY}/part-001.jsonl",)  # the day kept what it held
    ]
