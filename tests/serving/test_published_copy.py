"""The published copy: every mart, replaced at once, never blocking or blocked by readers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from almaty.errors import AlmatyError
from serving.published_copy import (
    ACCESS_TABLES,
    ServingCopyReader,
    open_serving_copy,
    publish_access_copy,
    publish_serving_copy,
    republish_copies,
    serving_copy_version,
)

NOW = datetime(2026, 1, 14, 6, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)


def _warehouse(path: Path, visitors: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ingested")
        con.execute("create or replace table ingested.events (delivery_day date)")
        con.execute("insert into ingested.events values ('2026-01-13')")
        con.execute(
            "create or replace table marts.fct_traffic_daily as "
            f"select date '2026-01-13' as activity_date, {visitors} as visitors"
        )
        con.execute("create or replace table marts.fct_erasure_requests as select 'er_1' as id")
    return path


def test_every_mart_is_copied_with_when_and_what(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", 42)
    target = tmp_path / "warehouse.published.duckdb"
    publication = publish_serving_copy(warehouse, target, NOW)
    assert publication.tables == {"fct_erasure_requests": 1, "fct_traffic_daily": 1}
    with open_serving_copy(target) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(42,)]
        about = con.execute("select published_at, newest_delivery_day from marts.publication")
        published_at, newest = about.fetchall()[0]
    assert published_at == NOW and str(newest) == "2026-01-13"
    assert {p.name for p in tmp_path.iterdir()} == {target.name, warehouse.name}


def test_a_reader_keeps_its_copy_while_a_new_one_replaces_it(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", 1)
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
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", 7)
    target = tmp_path / "published.duckdb"
    publish_serving_copy(warehouse, target, NOW)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table ingested.events")  # the publication step now fails
    with pytest.raises(duckdb.Error):
        publish_serving_copy(warehouse, target, NOW)
    with open_serving_copy(target) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(7,)]
    assert {p.name for p in tmp_path.iterdir()} == {target.name, warehouse.name}


def test_nothing_to_publish_or_nothing_published_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
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
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", 1)
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


def _with_access_tables(path: Path, people: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        for schema, table in ACCESS_TABLES:
            con.execute(f"create schema if not exists {schema}")
            if (schema, table) != ("ingested", "events"):
                con.execute(
                    f"create or replace table {schema}.{table} as "
                    "select unnest(?::varchar[]) as user_pseudonym",
                    [people],
                )
    return path


def _about(path: Path) -> tuple:
    with open_serving_copy(path) as con:
        return con.execute(
            "select published_at, newest_delivery_day::varchar from marts.publication"
        ).fetchall()[0]


def test_a_purge_publishes_both_copies_again_keeping_the_days_the_marts_were_built_from(
    tmp_path: Path,
) -> None:
    warehouse = _with_access_tables(_warehouse(tmp_path / "warehouse.duckdb", 5), ["p1", "p2"])
    serving, access = tmp_path / "published.duckdb", tmp_path / "access.duckdb"
    publish_serving_copy(warehouse, serving, NOW)
    publish_access_copy(warehouse, access, NOW)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into ingested.events values ('2026-01-14')")  # ingested, not modelled
        con.execute("delete from intermediate.int_sessions where user_pseudonym = 'p1'")
        con.execute("update marts.fct_traffic_daily set visitors = 4")
    outcome = republish_copies(warehouse, serving, access, LATER)
    assert set(outcome) == {serving, access}
    assert outcome[serving].newest_delivery_day.isoformat() == "2026-01-13"
    assert _about(serving) == (LATER, "2026-01-13")
    with open_serving_copy(serving) as con:
        assert con.execute("select visitors from marts.fct_traffic_daily").fetchall() == [(4,)]
    with open_serving_copy(access) as con:
        sessions = con.execute("select user_pseudonym from intermediate.int_sessions").fetchall()
    assert sessions == [("p2",)]
    # after the models are built, the copy says the newest ingested day again
    assert publish_serving_copy(warehouse, serving, LATER).newest_delivery_day.isoformat() == (
        "2026-01-14"
    )


def test_a_purge_publishes_no_copy_that_was_never_published(tmp_path: Path) -> None:
    warehouse = _with_access_tables(_warehouse(tmp_path / "warehouse.duckdb", 5), ["p1"])
    serving, access = tmp_path / "published.duckdb", tmp_path / "access.duckdb"
    publish_access_copy(warehouse, access, NOW)
    assert list(republish_copies(warehouse, serving, access, LATER)) == [access]
    assert not serving.exists()


def test_a_copy_the_warehouse_can_no_longer_make_is_withdrawn(tmp_path: Path) -> None:
    """A new warehouse file (no models built yet) beside copies of the old one."""
    old = _with_access_tables(_warehouse(tmp_path / "old.duckdb", 5), ["p1"])
    serving, access = tmp_path / "published.duckdb", tmp_path / "access.duckdb"
    publish_serving_copy(old, serving, NOW)
    publish_access_copy(old, access, NOW)
    new = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(new)) as con:
        con.execute("create schema ingested")
        con.execute("create table ingested.events (delivery_day date)")
    assert republish_copies(new, serving, access, LATER) == {serving: None, access: None}
    assert not serving.exists() and not access.exists()
