"""The recommendation export: the documented format, whole versions only, and `latest`."""

import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recommender import export
from recommender.export import (
    ExportError,
    latest_version,
    read_export,
    read_latest,
    remove_users,
    write_export,
)
from tests.recommender.sample_exports import (
    ALICE,
    ALICE_ITEMS,
    BOB,
    BOB_ITEMS,
    NOW,
    POPULAR,
    SIMILAR_TO_L00,
    USERS,
    manifest_fields,
    sample_tables,
    write_sample,
)

VERSION_FILES = {"users.parquet", "similar.parquet", "popular.parquet", "manifest.json"}


def _versions(export_dir: Path) -> list[str]:
    root = export_dir / "recommendations"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _hidden(export_dir: Path) -> list[str]:
    return [p.name for p in (export_dir / "recommendations").iterdir() if p.name.startswith(".")]


def test_the_files_follow_the_documented_format(tmp_path: Path) -> None:
    folder = write_sample(tmp_path)
    assert folder == tmp_path / "recommendations" / "20260114T053000Z"
    assert {p.name for p in folder.iterdir()} == VERSION_FILES
    assert (tmp_path / "recommendations" / "latest").read_text() == "20260114T053000Z\n"

    string, int32, float64 = pa.string(), pa.int32(), pa.float64()
    assert pq.read_schema(folder / "users.parquet").remove_metadata() == pa.schema(
        [
            ("subject_pseudonym", string),
            ("rank", int32),
            ("listing_id", string),
            ("score", float64),
            ("reason", string),
        ]
    )
    assert pq.read_schema(folder / "similar.parquet").names == [
        "listing_id",
        "rank",
        "similar_listing_id",
        "score",
        "reason",
    ]
    assert pq.read_schema(folder / "popular.parquet").names == [
        "rank",
        "listing_id",
        "score",
        "category",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest == {
        "version": "20260114T053000Z",
        "created_at": "2026-01-14T05:30:00+00:00",
        "model": "implicit-als",
        "parameters": {"factors": 32, "generation": 1.0},
        "metrics": {"ndcg@10": 0.31, "recall@10": 0.42},
        "training_window": {"first": "2025-12-15", "last": "2026-01-13"},
        "row_counts": {
            "users": len(ALICE_ITEMS) + len(BOB_ITEMS),
            "similar": len(SIMILAR_TO_L00),
            "popular": len(POPULAR),
        },
    }
    users = pq.read_table(folder / "users.parquet")
    # Keyed by pseudonym only: the website's ids appear nowhere in the export.
    assert set(users.column("subject_pseudonym").to_pylist()) == {USERS(ALICE), USERS(BOB)}
    for path in folder.iterdir():
        assert b"u_alice" not in path.read_bytes() and b"u_bob" not in path.read_bytes()


def test_the_reader_answers_in_rank_order_and_fills_with_popular(tmp_path: Path) -> None:
    write_sample(tmp_path)
    loaded = read_latest(tmp_path)
    assert loaded.version == "20260114T053000Z"
    assert loaded.user_count == 2

    alice = loaded.for_user(USERS(ALICE), 10)
    assert [(r.listing_id, r.reason) for r in alice] == ALICE_ITEMS[:10]
    bob = loaded.for_user(USERS(BOB), 5)
    assert [(r.listing_id, r.reason) for r in bob] == [
        *BOB_ITEMS,
        *((listing, "popular") for listing in POPULAR[:3]),
    ]
    assert [r.listing_id for r in loaded.for_user(USERS("u_stranger"), 4)] == POPULAR[:4]
    assert {r.reason for r in loaded.for_user(USERS("u_stranger"), 4)} == {"popular"}

    similar = loaded.similar_to("L00", 5)
    assert [r.listing_id for r in similar] == [*SIMILAR_TO_L00, *POPULAR[:2]]
    assert [r.reason for r in similar] == ["similar"] * 3 + ["popular"] * 2
    assert [r.listing_id for r in loaded.similar_to("P00", 2)] == POPULAR[1:3]  # not itself
    assert loaded.popular(2)[0].score == 1.0


def test_rows_are_read_in_rank_order_whatever_order_they_came_in(tmp_path: Path) -> None:
    users, similar, popular = sample_tables()
    order = list(reversed(range(len(users["rank"]))))
    users = {name: [values[i] for i in order] for name, values in users.items()}
    write_export(tmp_path, users, similar, popular, manifest_fields(), NOW)
    alice = read_latest(tmp_path).for_user(USERS(ALICE), 20)
    assert [(r.listing_id, r.reason) for r in alice[: len(ALICE_ITEMS)]] == ALICE_ITEMS


def test_the_files_are_sorted_by_key_and_rank_whatever_order_they_came_in(tmp_path) -> None:
    users, similar, popular = sample_tables()
    shuffled = [5, 0, 3, 1, 4, 2, *range(6, len(users["rank"]))]
    users = {name: [values[i] for i in shuffled] for name, values in users.items()}
    folder = write_export(tmp_path, users, similar, popular, manifest_fields(), NOW)
    written = pq.read_table(folder / "users.parquet")
    pairs = list(
        zip(written["subject_pseudonym"].to_pylist(), written["rank"].to_pylist(), strict=True)
    )
    assert pairs == sorted(pairs) and len(set(pairs)) == len(pairs) == len(shuffled)


@pytest.mark.parametrize("kind", ["pyarrow", "polars", "pandas"])
def test_data_frames_are_accepted(tmp_path: Path, kind: str) -> None:
    convert = {"pyarrow": pa.table, "polars": pl.DataFrame, "pandas": pd.DataFrame}[kind]
    users, similar, popular = (convert(t) for t in sample_tables())
    write_export(tmp_path, users, similar, popular, manifest_fields(), NOW)
    assert len(read_latest(tmp_path).for_user(USERS(ALICE), 20)) == 20


def test_versions_in_one_second_get_distinct_sortable_names(tmp_path: Path) -> None:
    names = [write_sample(tmp_path, now=NOW + timedelta(microseconds=n)).name for n in range(3)]
    later = write_sample(tmp_path, now=NOW + timedelta(seconds=1)).name
    assert names == ["20260114T053000Z", "20260114T053000Z-001", "20260114T053000Z-002"]
    assert sorted([*names, later]) == [*names, later]
    assert latest_version(tmp_path) == later == "20260114T053001Z"
    assert read_latest(tmp_path).manifest["version"] == later


def test_a_local_time_is_named_in_utc(tmp_path: Path) -> None:
    almaty = datetime(2026, 1, 14, 10, 30, tzinfo=UTC).astimezone(ZoneInfo("Asia/Almaty"))
    assert write_sample(tmp_path, now=almaty).name == "20260114T103000Z"


def test_latest_moves_only_once_the_version_is_complete(tmp_path: Path, monkeypatch) -> None:
    write_sample(tmp_path)
    replace = os.replace
    seen = []

    def checking_replace(source, target) -> None:
        if Path(target).name == "latest":
            version = Path(source).read_text().strip()
            folder = tmp_path / "recommendations" / version
            seen.append(version)
            assert {p.name for p in folder.iterdir()} == VERSION_FILES
            assert json.loads((folder / "manifest.json").read_text())["version"] == version
            assert latest_version(tmp_path) == "20260114T053000Z"  # not yet switched
        replace(source, target)

    monkeypatch.setattr(os, "replace", checking_replace)
    write_sample(tmp_path, generation=2.0, now=NOW + timedelta(hours=1))
    assert seen == ["20260114T063000Z"]
    assert latest_version(tmp_path) == "20260114T063000Z"


def test_a_failed_write_leaves_the_previous_export(tmp_path: Path, monkeypatch) -> None:
    write_sample(tmp_path)
    write_table = pq.write_table

    def failing_on_similar(table, where, **kwargs) -> None:
        if Path(where).name == "similar.parquet":
            raise OSError(28, "No space left on device")
        write_table(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", failing_on_similar)
    with pytest.raises(OSError, match="No space"):
        write_sample(tmp_path, generation=2.0, now=NOW + timedelta(hours=1))
    assert latest_version(tmp_path) == "20260114T053000Z"
    assert _versions(tmp_path) == ["20260114T053000Z"]
    assert _hidden(tmp_path) == []  # the partial folder is gone
    assert read_latest(tmp_path).for_user(USERS(ALICE), 1)[0].score == 1.0


def test_a_reader_never_sees_part_of_a_version(tmp_path: Path) -> None:
    """Writers replace the export over and over; every read is one whole version."""
    write_sample(tmp_path, generation=0.0)
    done = threading.Event()
    failures: list[BaseException] = []

    def write_many() -> None:
        try:
            for generation in range(1, 16):
                write_sample(tmp_path, generation=float(generation), now=datetime.now(UTC))
        except BaseException as error:
            failures.append(error)
        finally:
            done.set()

    writer = threading.Thread(target=write_many)
    writer.start()
    reads = 0
    while not done.is_set() or reads < 5:
        loaded = read_latest(tmp_path)
        generation = loaded.manifest["parameters"]["generation"]
        items = [
            *loaded.for_user(USERS(ALICE), 20),
            *loaded.similar_to("L00", 3),
            *loaded.popular(30),
        ]
        assert {item.score for item in items} == {generation}, loaded.version
        assert len(loaded.for_user(USERS(ALICE), 20)) == 20
        reads += 1
    writer.join()
    assert not failures, failures
    assert read_latest(tmp_path).manifest["parameters"]["generation"] == 15.0
    assert len(_versions(tmp_path)) == export.KEEP_VERSIONS  # older ones were pruned


def test_old_versions_are_pruned_and_names_never_reused(tmp_path: Path) -> None:
    for hour in range(4):
        write_sample(tmp_path, now=NOW + timedelta(hours=hour))
    newest = ["20260114T063000Z", "20260114T073000Z", "20260114T083000Z"]
    assert _versions(tmp_path) == newest
    # The first version's name is free again, but a new one of that second comes after.
    assert write_sample(tmp_path, now=NOW).name == "20260114T083000Z-001"
    # So does one from a clock set back; created_at keeps the time it was made.
    users, similar, popular = sample_tables()
    earlier = NOW - timedelta(days=1)
    folder = write_export(tmp_path, users, similar, popular, manifest_fields(), earlier, keep=1)
    assert _versions(tmp_path) == [folder.name] == ["20260114T083000Z-002"]
    assert latest_version(tmp_path) == folder.name
    assert read_latest(tmp_path).manifest["created_at"] == "2026-01-13T05:30:00+00:00"


def _break(tables: tuple[dict, dict, dict], which: int, column: str, row: int, value) -> tuple:
    tables[which][column][row] = value
    return tables


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: _break(t, 0, "subject_pseudonym", 0, "u_alice"), "never the website's id"),
        (lambda t: _break(t, 0, "reason", 1, "because"), "reason must be one of"),
        (lambda t: _break(t, 0, "listing_id", 2, None), "listing_id has nulls"),
        (lambda t: _break(t, 0, "rank", 1, 1), "rank appears twice"),
        (lambda t: _break(t, 0, "rank", 0, 0), "ranks start at 1"),
        (lambda t: _break(t, 0, "score", 0, float("nan")), "finite"),
        (lambda t: _break(t, 0, "rank", 0, "first"), "does not fit"),
        (lambda t: _break(t, 1, "reason", 0, "personalized"), "similar: reason"),
        (lambda t: _break(t, 2, "rank", 1, 1), "popular: ranks"),
        (lambda t: (t[0], t[1], {k: v for k, v in t[2].items() if k != "category"}), "category"),
    ],
)
def test_invalid_tables_are_refused_before_anything_is_written(
    tmp_path: Path, change, message: str
) -> None:
    write_sample(tmp_path)
    users, similar, popular = change(sample_tables())
    with pytest.raises(ValueError, match=message):
        write_export(tmp_path, users, similar, popular, manifest_fields(), NOW)
    assert _versions(tmp_path) == ["20260114T053000Z"] and _hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"model": "x"}, "missing parameters, metrics, training_window"),
        ({**manifest_fields(), "owner": "me"}, "unexpected owner"),
        ({**manifest_fields(), "training_window": {"first": "2026-01-01"}}, "first, last"),
        (
            {**manifest_fields(), "training_window": {"first": "2026-02-01", "last": "2026-01-01"}},
            "after last",
        ),
        ({**manifest_fields(), "metrics": {"ndcg": float("nan")}}, "plain JSON"),
        ({**manifest_fields(), "parameters": {"when": object()}}, "plain JSON"),
    ],
)
def test_invalid_manifest_fields_are_refused(tmp_path: Path, fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_export(tmp_path, *sample_tables(), fields, NOW)
    assert latest_version(tmp_path) is None


def test_now_must_carry_a_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        write_export(tmp_path, *sample_tables(), manifest_fields(), datetime(2026, 1, 14))


def test_no_export_yet_is_a_clear_error(tmp_path: Path) -> None:
    assert latest_version(tmp_path) is None
    with pytest.raises(ExportError, match="no recommendations export yet"):
        read_latest(tmp_path)


def test_a_pointer_that_names_no_version_is_refused(tmp_path: Path) -> None:
    write_sample(tmp_path)
    (tmp_path / "recommendations" / "latest").write_text("../../etc\n")
    with pytest.raises(ExportError, match="does not name a version"):
        latest_version(tmp_path)


def test_a_damaged_version_is_detected(tmp_path: Path) -> None:
    folder = write_sample(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["row_counts"]["users"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match="does not match"):
        read_export(tmp_path, folder.name)
    (folder / "similar.parquet").unlink()
    with pytest.raises(ExportError, match="cannot read"):
        read_export(tmp_path, folder.name)


def test_a_purged_user_leaves_every_version_on_disk(tmp_path: Path) -> None:
    first = write_sample(tmp_path, generation=1.0)
    second = write_sample(tmp_path, generation=2.0, now=NOW + timedelta(days=1))
    alice = USERS(ALICE)
    removed = remove_users(tmp_path, {alice: ("erasure", "r1")})
    assert removed == {
        (("erasure", "r1"), f"recommendations/{folder.name}/users.parquet"): len(ALICE_ITEMS)
        for folder in (first, second)
    }
    for folder in (first, second):
        loaded = read_export(tmp_path, folder.name)  # whole: the manifest counts agree
        assert loaded.user_count == 1
        assert loaded.for_user(USERS(BOB), 2)[0].listing_id == BOB_ITEMS[0][0]
        assert alice.encode() not in (folder / "users.parquet").read_bytes()
    assert remove_users(tmp_path, {alice: ("erasure", "r1")}) == {}
