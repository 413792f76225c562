import gzip
from pathlib import Path

import pytest

from ingestion.lines import LandingFileError, read_landing_files, read_numbered_lines


def _lines(path: Path) -> list[tuple[int, str | None]]:
    table = read_numbered_lines(path, path.name)
    return list(zip(table["line_number"].to_pylist(), table["line"].to_pylist(), strict=True))


def test_every_physical_line_keeps_its_number(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a":1}\n\n\xff\xfe broken\n{"a":2}\r\n{"a":3}')
    assert _lines(path) == [
        (1, '{"a":1}\n'),
        (2, "\n"),
        (3, None),  # not UTF-8: no text, but its number
        (4, '{"a":2}\r\n'),
        (5, '{"a":3}'),
    ]


def test_gzip_and_plain_files_read_the_same(tmp_path: Path) -> None:
    content = b"".join(b'{"n":%d}\n' % i for i in range(1000))
    plain, packed = tmp_path / "p.jsonl", tmp_path / "p.jsonl.gz"
    plain.write_bytes(content)
    packed.write_bytes(gzip.compress(content))
    assert _lines(plain) == _lines(packed)
    assert len(_lines(plain)) == 1000


def test_an_empty_file_has_no_lines(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl.gz"
    path.write_bytes(gzip.compress(b""))
    assert _lines(path) == []


def test_a_broken_gzip_names_the_file(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(bytes(range(256)) * 4000)[:500])
    with pytest.raises(LandingFileError, match=r"cut\.jsonl\.gz"):
        read_numbered_lines(truncated, "cut.jsonl.gz")
    garbage = tmp_path / "junk.jsonl.gz"
    garbage.write_bytes(b"this is not gzip at all")
    with pytest.raises(LandingFileError, match=r"junk\.jsonl\.gz"):
        read_landing_files([(garbage, "junk.jsonl.gz")])


def test_an_empty_gzip_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.jsonl.gz"
    path.write_bytes(b"")
    with pytest.raises(LandingFileError, match=r"^events/nothing\.jsonl\.gz: the file is empty"):
        read_numbered_lines(path, "events/nothing.jsonl.gz")


def test_errors_name_the_file_as_recorded_never_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "jane.doe@example.com.jsonl.gz"
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(LandingFileError) as caught:
        read_landing_files([(path, "events/date=2026-01-10/#1")])
    assert str(caught.value).startswith("events/date=2026-01-10/#1: not a readable gzip file")
    assert "jane" not in str(caught.value) and str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize("packed", [False, True])
def test_a_byte_order_mark_at_the_start_is_not_part_of_the_first_line(
    tmp_path: Path, packed: bool
) -> None:
    content = b'\xef\xbb\xbf{"a":1}\n{"a":2}\n\xef\xbb\xbf{"a":3}\n'
    path = tmp_path / ("bom.jsonl.gz" if packed else "bom.jsonl")
    path.write_bytes(gzip.compress(content) if packed else content)
    assert _lines(path) == [
        (1, '{"a":1}\n'),
        (2, '{"a":2}\n'),
        (3, '\ufeff{"a":3}\n'),  # only the file's own mark: one inside is the line's text
    ]


def test_a_file_starting_with_a_byte_order_mark_is_ingested_whole(zone) -> None:
    path = zone.events("2026-01-10", [zone.event("e1", "2026-01-10T12:00:00+05:00")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    zone.ingest("2026-01-10")
    assert zone.query("select event_id from ingested.events") == [("e1",)]
    assert zone.query("select count(*) from ingested.quarantine") == [(0,)]


def test_a_byte_order_mark_is_left_out_of_a_file_that_is_not_all_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a":1}\n\xff\n')
    assert _lines(path) == [(1, '{"a":1}\n'), (2, None)]
    only = tmp_path / "only.jsonl"
    only.write_bytes(b"\xef\xbb\xbf")
    assert _lines(only) == []


def test_many_files_keep_their_names(tmp_path: Path) -> None:
    files = []
    for i in range(5):
        path = tmp_path / f"f{i}.jsonl"
        path.write_bytes(b"{}\n" * (i + 1))
        files.append((path, f"events/f{i}.jsonl"))
    table = read_landing_files(files)
    sources = table["source"].to_pylist()
    assert table.num_rows == 15
    assert [sources.count(f"events/f{i}.jsonl") for i in range(5)] == [1, 2, 3, 4, 5]


def test_every_member_of_a_multi_member_gzip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "appended.jsonl.gz"
    padding = b"\0" * 8  # zero padding between and after members is allowed, as gzip reads it
    path.write_bytes(
        gzip.compress(b'{"n":1}\n{"n":2}\n') + padding + gzip.compress(b'{"n":3}\n') + padding
    )
    assert [number for number, _ in _lines(path)] == [1, 2, 3]


def test_a_corrupt_deflate_block_names_the_file(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(bytes(range(256)) * 100))
    packed[12] ^= 0xFF
    path = tmp_path / "flipped.jsonl.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(LandingFileError, match=r"flipped\.jsonl\.gz: not a readable gzip file"):
        read_numbered_lines(path, path.name)


def test_row_keys_follow_file_names_then_line_numbers(tmp_path: Path) -> None:
    files = []
    for name in ("b.jsonl", "a.jsonl"):
        path = tmp_path / name
        path.write_bytes(b"{}\n{}\n")
        files.append((path, f"events/{name}"))
    table = read_landing_files(files).sort_by("row_key")
    assert list(
        zip(table["source"].to_pylist(), table["line_number"].to_pylist(), strict=True)
    ) == [
        ("events/a.jsonl", 1),
        ("events/a.jsonl", 2),
        ("events/b.jsonl", 1),
        ("events/b.jsonl", 2),
    ]
