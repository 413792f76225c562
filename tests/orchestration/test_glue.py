"""The small pure pieces of the orchestration glue."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from almaty.errors import AlmatyError
from orchestration.launch import choose_days, last_complete_day
from orchestration.partitions import window_days
from orchestration.sensors import changed_ingested_days

ALMATY = ZoneInfo("Asia/Almaty")
D = date.fromisoformat


def test_a_window_covers_its_days_end_exclusive() -> None:
    start = datetime(2026, 1, 30, tzinfo=ALMATY)
    assert window_days(start, datetime(2026, 2, 2, tzinfo=ALMATY)) == [
        D("2026-01-30"),
        D("2026-01-31"),
        D("2026-02-01"),
    ]


def test_days_default_to_what_the_landing_zone_holds() -> None:
    present = [D("2026-01-02"), D("2026-01-05")]
    assert choose_days(present, None, None, D("2026-11-24")) == (D("2026-01-02"), D("2026-01-05"))
    assert choose_days(present, D("2026-01-04"), None, D("2026-11-24")) == (
        D("2026-01-04"),
        D("2026-01-05"),
    )
    # today's folder is still being written: stop at yesterday
    assert choose_days([D("2026-11-24"), D("2026-11-25")], None, None, D("2026-11-24")) == (
        D("2026-11-24"),
        D("2026-11-24"),
    )


@pytest.mark.parametrize(
    ("present", "first", "last", "message"),
    [
        ([], None, None, "no delivery days"),
        ([D("2026-01-02")], D("2026-01-05"), D("2026-01-01"), "is after"),
        ([D("2026-01-02")], D("2019-12-31"), D("2026-01-01"), "starts on"),
        ([D("2026-01-02")], D("2026-01-01"), D("2026-11-25"), "not complete"),
    ],
)
def test_impossible_ranges_are_refused(present, first, last, message) -> None:
    with pytest.raises(AlmatyError, match=message):
        choose_days(present, first, last, D("2026-11-24"))


def test_the_last_complete_day_is_yesterday_in_almaty() -> None:
    # 20:30 UTC on the 24th is already 01:30 on the 25th in Almaty
    assert last_complete_day(datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("UTC"))) == D(
        "2026-11-24"
    )


def test_only_ingested_days_whose_files_changed_are_rerun() -> None:
    previous = {"2026-01-01": "a", "2026-01-02": "b"}
    current = {"2026-01-01": "a", "2026-01-02": "b2", "2026-01-03": "c"}
    assert changed_ingested_days(previous, current, {"2026-01-01", "2026-01-02"}) == ["2026-01-02"]
    assert changed_ingested_days(previous, current, {"2026-01-01"}) == []


def test_dagster_home_gives_the_warehouse_pool_one_slot(tmp_path, monkeypatch) -> None:
    from dagster import DagsterInstance

    from almaty.config import load_settings
    from orchestration.launch import dagster_home

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = dagster_home(load_settings({"ALMATY_WAREHOUSE": str(tmp_path / "wh")}))
    assert home == (tmp_path / "dagster").resolve()
    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
