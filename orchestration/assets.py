"""Ingestion assets: thin wrappers that pass settings and a window to `ingestion/`."""

import logging

from dagster import (
    AssetExecutionContext,
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
    ingest_day,
    record_links,
    summarize,
)
from ingestion.rules import refresh_listings, refresh_privacy_rules
from orchestration.partitions import delivery_days, window_days
from orchestration.resources import WarehouseResource

# Every asset that writes the warehouse file takes a slot in this pool (limit 1).
WAREHOUSE_POOL = "warehouse"
GROUP = "ingestion"
progress = logging.getLogger("almaty.progress")


def report(context: AssetExecutionContext, line: str) -> None:
    """A progress line for the Dagster event log and for `almaty run`'s output."""
    context.log.info(line)
    progress.info(line)


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
    partitions_def=delivery_days,
    backfill_policy=BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)
def usage(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Events and searches of the window's delivery days, each day in one transaction."""
    settings = warehouse.settings()
    keys = warehouse.secret_keys()
    window = context.partition_time_window
    days = window_days(window.start, window.end)
    results: dict[str, list[DayResult]] = {feed.name: [] for feed in USAGE_FEEDS}
    with warehouse.connect(keys, context.log) as con:
        for day in days[1:]:
            record_links(con, settings.landing_dir, day, keys)
        for day in days:
            for result in ingest_day(
                con, settings.landing_dir, day, keys, settings.as_of, settings.retention_years
            ):
                report(context, describe_day(result))
                results[result.feed].append(result)
    for name, day_results in results.items():
        yield MaterializeResult(asset_key=name, metadata=summarize(day_results))
