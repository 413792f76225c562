"""Blocking checks after ingestion: if one fails, nothing downstream of the data runs."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, asset_check

from ingestion.checks import (
    class_violations,
    expectation_failures,
    forbidden_records,
    personal_data_findings,
)
from ingestion.warehouse import SCHEMA
from landing.contract import delivery_days as landing_days
from orchestration.assets import WAREHOUSE_POOL
from orchestration.partitions import delivery_days, window_days
from orchestration.resources import WarehouseResource
from privacy.retention import retention_cutoff
from quality.marts import MART_SUITES


def _days(context: AssetCheckExecutionContext):
    days = window_days(context.partition_time_window.start, context.partition_time_window.end)
    return days[0], days[-1]


def _result(problems: dict, passed: str) -> AssetCheckResult:
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        metadata={"problems": problems or passed},
    )


def _forbidden(con, feed: str, first, last, settings) -> dict:
    cutoff = retention_cutoff(settings.as_of, settings.retention_years)
    return forbidden_records(con, feed, first, last, cutoff)


# name -> (what must hold, how to find what breaks it, what a pass says)
CHECKS = {
    "values_in_class": (
        "Every stored value lies in its column's privacy class (ingestion/columns.py).",
        lambda con, feed, first, last, _: class_violations(con, feed, first, last),
        "none outside",
    ),
    "no_personal_data": (
        "No stored free text holds personal data: an e-mail, phone, IIN/BIN, card number, IP "
        "address or identifier.",
        lambda con, feed, first, last, _: personal_data_findings(con, feed, first, last),
        "none found",
    ),
    "no_forbidden_subjects": (
        "No stored record of an opted-out, erased or expired subject.",
        _forbidden,
        "none found",
    ),
    "expectations": (
        "The Great Expectations suite of the stored days passes.",
        lambda con, feed, first, last, _: expectation_failures(con, feed, first, last),
        "all passed",
    ),
}


def _check(feed: str, name: str):
    description, find_problems, passed = CHECKS[name]

    @asset_check(
        asset=feed,
        name=name,
        description=description,
        blocking=True,
        partitions_def=delivery_days,
        pool=WAREHOUSE_POOL,  # checks read what the step before them wrote
    )
    def check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        first, last = _days(context)
        settings = warehouse.settings()
        with warehouse.connect(warehouse.secret_keys(), context.log) as con:
            return _result(find_problems(con, feed, first, last, settings), passed)

    return check


ingestion_checks = [_check(feed, name) for feed in ("events", "searches") for name in CHECKS]


def _mart_check(mart: str):
    @asset_check(
        asset=mart,
        name="expectations",
        description="The Great Expectations suite of the mart passes (quality/marts.py).",
        blocking=True,  # nothing is published from a mart that fails it
        pool=WAREHOUSE_POOL,
    )
    def check(warehouse: WarehouseResource):
        from quality.marts import mart_failures

        with warehouse.read() as con:
            frame = con.execute(f"from marts.{mart}").df()
            read = {
                d
                for (d,) in con.execute(
                    f"select distinct delivery_day from {SCHEMA}.landing_files"
                ).fetchall()
            }
        # a delivery day none of whose files could be read holds nothing, and may not
        # keep the others from being published (every_day_read names it)
        unread = set(landing_days(warehouse.settings().landing_dir)) - read
        return _result(mart_failures(mart, frame, unread), "all passed")

    return check


mart_checks = [_mart_check(mart) for mart in MART_SUITES]
