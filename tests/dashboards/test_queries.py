"""The queries on a small published copy: bound parameters, and a new copy shown at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dashboards import queries as q
from ingestion.lake import connect_lake
from serving.published_copy import ServingCopyReader, publish_serving_copy

DAY = date(2026, 1, 13)


def _publish(tmp_path: Path, languages: dict[str, int]) -> Path:
    warehouse, target = tmp_path / "warehouse", tmp_path / "published.duckdb"
    with connect_lake(warehouse) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ingested")
        con.execute(
            "create or replace table ingested.events as select ?::date as delivery_day", [DAY]
        )
        con.execute(
            "create or replace table marts.fct_searches_daily (search_date date, query varchar, "
            "query_language varchar, searches bigint, searchers bigint, zero_result_rate double, "
            "click_through_rate double, request_rate double, booking_rate double)"
        )
        for language, searches in languages.items():
            con.execute(
                "insert into marts.fct_searches_daily "
                "values (?, 'hotel', ?, ?, 10, 0.5, 0.25, 0, 0)",
                [DAY, language, searches],
            )
    publish_serving_copy(warehouse, target, datetime(2026, 1, 14, tzinfo=UTC))
    return target


def test_filter_values_are_bound_never_spliced_into_the_sql(tmp_path: Path) -> None:
    source = q.Source(ServingCopyReader(_publish(tmp_path, {"ru": 40, "en": 2})))
    assert q.searches_by_language(source, DAY, DAY, ["ru"])["searches"].tolist() == [40]
    hostile = ["ru') or true --", "x'; drop table marts.fct_searches_daily; --"]
    assert q.searches_by_language(source, DAY, DAY, hostile).empty
    assert q.searches_by_language(source, DAY, DAY, ["ru", "en"])["searches"].tolist() == [40, 2]


def test_a_newly_published_copy_is_shown_without_waiting_for_the_cache(tmp_path: Path) -> None:
    source = q.Source(ServingCopyReader(_publish(tmp_path, {"ru": 40})))
    assert q.searches_by_day(source, DAY, DAY, ["ru"])["searches"].tolist() == [40]
    _publish(tmp_path, {"ru": 55})
    assert q.searches_by_day(source, DAY, DAY, ["ru"])["searches"].tolist() == [55]


def test_a_mart_without_rows_or_missing_is_no_data(tmp_path: Path) -> None:
    source = q.Source(ServingCopyReader(_publish(tmp_path, {})))
    with pytest.raises(q.NoData):
        q.day_bounds(source, "searches")
    with pytest.raises(q.NoData):
        q.day_bounds(source, "traffic")  # not in this copy at all
    nothing = q.Source(ServingCopyReader(tmp_path / "elsewhere.duckdb"))
    with pytest.raises(q.NoData):
        q.day_bounds(nothing, "searches")
