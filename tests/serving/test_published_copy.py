"""The dashboards' copy: every mart but those per person, replaced at once, never blocking or
blocked by readers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from almaty.errors import AlmatyError
from ingestion.lake import connect_lake
from serving.published_copy import (
    ServingCopyReader,
    open_serving_copy,
    publish_serving_copy,
    republish_serving_copy,
    serving_copy_version,
)

NOW = datetime(2026, 1, 14, 6, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)


def _warehouse(path: Path, visitors: int) -> Path:
    with connect_lake(path) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ingested")
        con.execute("create or replace table ingested.events (delivery_day date)")
        con.execute("insert into ingested.events values ('2026-01-13')")
        con.execute(
            "create or replace table marts.fct_traffic_daily as "
            f"select date '2026-01-13' as activity_date, {visitors} as visitors"
        )
        con.execute("create or replace table marts.fct_erasure_requests as select 'er_1' as id")
        con.execute(
            "create or replace table marts.fct_user_listing_interactions as "
            "select 'p1' as subject_pseudonym"
        )
    return path


def test_every_mart_but_the_rows_per_person_is_copied_with_when_and_what(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 42)
    target = tmp_path / "published.duckdb"
    publication = publish_serving_copy(warehouse, target, NOW)
    assert publication.tables == {"fct_erasure_requests": 1, "fct_traffic_daily": 1}
    with open_serving_copy(target) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(42,)]
        about = con.execute("select published_at, newest_delivery_day from marts.publication")
        published_at, newest = about.fetchall()[0]
    assert published_at == NOW and str(newest) == "2026-01-13"
    assert {p.name for p in tmp_path.iterdir()} == {target.name, warehouse.name}


def test_a_reader_keeps_its_copy_while_a_new_one_replaces_it(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 1)
    target = tmp_path / "published.duckdb"
    publish_serving_copy(warehouse, target, NOW)
    first = serving_copy_version(target)
    with open_serving_copy(target) as reader:
        _warehouse(warehouse, 2)
        publish_serving_copy(warehouse, target, NOW)  # does not wait for the reader
        assert reader.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(1,)]
    assert serving_copy_version(target) != first
    with open_serving_copy(target) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(2,)]


def test_a_failed_publication_leaves_the_old_copy_and_no_debris(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 7)
    target = tmp_path / "published.duckdb"
    publish_serving_copy(warehouse, target, NOW)
    with connect_lake(warehouse) as con:
        con.execute("drop table ingested.events")  # the publication step now fails
    with pytest.raises(duckdb.Error):
        publish_serving_copy(warehouse, target, NOW)
    with open_serving_copy(target) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(7,)]
    assert {p.name for p in tmp_path.iterdir()} == {target.name, warehouse.name}


def test_nothing_to_publish_or_nothing_published_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    connect_lake(empty).close()
    with pytest.raises(AlmatyError, match="no marts to publish"):
        publish_serving_copy(empty, tmp_path / "published.duckdb", NOW)
    assert not (tmp_path / "published.duckdb").exists()
    with (
        pytest.raises(AlmatyError, match="nothing published yet"),
        open_serving_copy(tmp_path / "published.duckdb"),
    ):
        pass
    assert serving_copy_version(tmp_path / "published.duckdb") is None


def test_a_long_lived_reader_reopens_when_a_new_copy_is_published(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 1)
    target = tmp_path / "published.duckdb"
    reader = ServingCopyReader(target)
    with pytest.raises(AlmatyError, match="nothing published yet"):
        reader.connection()
    publish_serving_copy(warehouse, target, NOW)
    before = reader.connection()
    _warehouse(warehouse, 2)
    publish_serving_copy(warehouse, target, NOW)  # while `before` is still open
    after = reader.connection()
    visitors = "select visitors from marts.fct_traffic_daily"
    assert after.execute(visitors).fetchall() == [(2,)]
    assert before.execute(visitors).fetchall() == [(1,)]  # a query begun before finishes
    again = reader.connection()
    assert again.execute(visitors).fetchall() == [(2,)]
    for con in (before, after, again):
        con.close()


def _about(path: Path) -> tuple:
    with open_serving_copy(path) as con:
        return con.execute(
            "select published_at, newest_delivery_day::varchar from marts.publication"
        ).fetchall()[0]


def test_a_purge_publishes_the_copy_again_keeping_the_days_the_marts_were_built_from(
    tmp_path: Path,
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 5)
    serving = tmp_path / "published.duckdb"
    publish_serving_copy(warehouse, serving, NOW)
    with connect_lake(warehouse) as con:
        con.execute("insert into ingested.events values ('2026-01-14')")  # ingested, not modelled
        con.execute("update marts.fct_traffic_daily set visitors = 4")
    publication = republish_serving_copy(warehouse, serving, LATER)
    assert publication is not None and publication.newest_delivery_day.isoformat() == "2026-01-13"
    assert _about(serving) == (LATER, "2026-01-13")
    with open_serving_copy(serving) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(4,)]
    # after the models are built, the copy says the newest ingested day again
    assert publish_serving_copy(warehouse, serving, LATER).newest_delivery_day.isoformat() == (
        "2026-01-14"
    )


def test_a_purge_publishes_no_copy_that_was_never_published(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse", 5)
    serving = tmp_path / "published.duckdb"
    assert republish_serving_copy(warehouse, serving, LATER) is None
    assert not serving.exists()


def test_a_copy_the_warehouse_can_no_longer_make_is_withdrawn(tmp_path: Path) -> None:
    """A new warehouse (no models built yet) where a copy of the old one was published."""
    serving = tmp_path / "published.duckdb"
    publish_serving_copy(_warehouse(tmp_path / "old", 5), serving, NOW)
    new = tmp_path / "warehouse"
    with connect_lake(new) as con:
        con.execute("create schema ingested")
        con.execute("create table ingested.events (delivery_day date)")
    assert republish_serving_copy(new, serving, LATER) is None
    assert not serving.exists()
