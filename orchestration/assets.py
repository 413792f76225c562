"""Ingestion assets: thin wrappers that pass settings and a window to `ingestion/`."""

import logging
from datetime import date

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    asset,
    multi_asset,
)

from ingestion.daily import (
    USAGE_FEEDS,
    DayResult,
    describe_day,
    ingest_days,
    summarize,
)
from ingestion.lines import LandingFileError
from ingestion.rules import refresh_listings, refresh_privacy_rules
from orchestration.partitions import delivery_days, window_days
from orchestration.resources import WarehouseResource

# Every asset that writes the warehouse takes a slot in this pool (limit 1).
WAREHOUSE_POOL = "warehouse"
GROUP = "ingestion"
progress = logging.getLogger("almaty.progress")


def report(context: AssetExecutionContext, line: str, level: int = logging.INFO) -> None:
    """A progress line for the Dagster event log and for `almaty run`'s output."""
    context.log.log(level, line)
    progress.log(level, line)


def _refresh(context: AssetExecutionContext, warehouse: WarehouseResource, refresh, label: str):
    """Run `refresh(con, settings, keys)` in one transaction; report and return its counts."""
    settings = warehouse.settings()
    keys = warehouse.secret_keys()
    with warehouse.connect(keys, context.log) as con:
        con.execute("begin transaction")
        counts = refresh(con, settings, keys)
        con.execute("commit")
    report(context, f"{label}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return MaterializeResult(metadata={**counts, "as_of": settings.as_of.isoformat()})


@asset(pool=WAREHOUSE_POOL, group_name=GROUP)
def privacy_rules(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Consent changes, accounts, erasure requests and the suppression list, as in force now.

    Read again before every ingestion run, so a backfill obeys today's rules.
    """
    return _refresh(
        context,
        warehouse,
        lambda con, settings, keys: refresh_privacy_rules(
            con, settings.landing_dir, keys, settings.as_of, settings.retention_years
        ),
        "privacy rules",
    )


@asset(pool=WAREHOUSE_POOL, group_name=GROUP)
def listings(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Listing versions without contact details; ended listings reduced to id and category."""
    return _refresh(
        context,
        warehouse,
        lambda con, settings, keys: refresh_listings(
            con, settings.landing_dir, keys, settings.as_of
        ),
        "listings",
    )


# Not blocking: a day that cannot be read stops only itself, so the purge, the models and
# the published copies still follow the days that were ingested.
EVERY_DAY_READ = "every_day_read"


@multi_asset(
    name="usage",
    specs=[
        AssetSpec(
            feed.name,
            deps=[privacy_rules, listings],
            group_name=GROUP,
            description=f"Pseudonymized, policy-filtered {feed.name}, one delivery day per "
            "partition.",
        )
        for feed in USAGE_FEEDS
    ],
    check_specs=[
        AssetCheckSpec(
            EVERY_DAY_READ,
            asset=feed.name,
            blocking=False,
            description="Every delivery day of the run was read. A day with a landing file "
            "that cannot be read (a broken gzip stream) is not ingested and keeps what it "
            "held; the run goes on with the other days.",
        )
        for feed in USAGE_FEEDS
    ],
    partitions_def=delivery_days,
    backfill_policy=BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)
def usage(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Events and searches of the window's delivery days, each day in one transaction.

    A day whose files cannot be read fails alone: its transaction rolls back, the other days
    go on, and the check `every_day_read` fails naming the day and the file.
    """
    settings = warehouse.settings()
    keys = warehouse.secret_keys()
    window = context.partition_time_window
    days = window_days(window.start, window.end)

    def unread(day: date, error: LandingFileError) -> None:
        report(context, f"delivery day {day} not ingested, kept as it was: {error}", logging.ERROR)

    def ingested(day_results: list[DayResult]) -> None:
        for result in day_results:
            report(context, describe_day(result))

    with warehouse.connect(keys, context.log) as con:
        run = ingest_days(
            con,
            settings.landing_dir,
            days,
            keys,
            settings.as_of,
            settings.retention_years,
            on_day=ingested,
            on_unread=unread,
        )
    for name in (feed.name for feed in USAGE_FEEDS):
        day_results = [result for result in run.results if result.feed == name]
        checked = AssetCheckKey(AssetKey(name), EVERY_DAY_READ) in context.selected_asset_check_keys
        yield MaterializeResult(
            asset_key=name,
            metadata={**summarize(day_results), "days_not_read": len(run.unread)},
            check_results=[_every_day_read(name, run.unread)] if checked else [],
        )


def _every_day_read(feed: str, unread: dict[date, LandingFileError]) -> AssetCheckResult:
    """The check's result for `feed`: a day not read fails it, naming the day and its file."""
    problems = "; ".join(
        f"delivery day {day} was not ingested and keeps what it held ({error})"
        for day, error in sorted(unread.items())
    )
    return AssetCheckResult(
        asset_key=feed,
        check_name=EVERY_DAY_READ,
        passed=not unread,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "problems": problems or "every day read",
            "days_not_read": [day.isoformat() for day in sorted(unread)],
        },
    )
