"""The dbt models as Dagster assets: daily incremental models by partition, the rest whole.

Models tagged `daily` rebuild the Almaty days touched by the run's delivery days, so they share
the ingestion partitions; the others (staging views, listings, compliance, recommender input)
are rebuilt whole. Both sets run as one dbt invocation per run, whatever the range of days.
"""

import json
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import psutil
from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, BackfillPolicy, Failure
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from almaty.config import Settings
from ingestion.purge import clear_purged_days, pending_purged_days
from orchestration.assets import WAREHOUSE_POOL, report
from orchestration.dbt_manifest import prepare_manifest
from orchestration.partitions import delivery_days
from orchestration.resources import WarehouseResource

DAILY = "tag:daily"

# The ingestion asset that writes each table of the `ingested` schema dbt reads.
SOURCE_ASSETS = {
    "events": "events",
    "searches": "searches",
    "identity_links": "events",
    "quarantine": "events",
    "ingestion_drops": "events",
    "landing_files": "events",
    "corrections": "events",
    "consent_changes": "privacy_rules",
    "account_changes": "privacy_rules",
    "erasure_requests": "privacy_rules",
    "suppressed_subjects": "privacy_rules",
    "listing_versions": "listings",
    "privacy_audit": "privacy_purge",
    "purged_days": "privacy_purge",
}


class WarehouseTranslator(DagsterDbtTranslator):
    """Models keep their dbt names; sources are the ingestion assets that write them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(SOURCE_ASSETS[dbt_resource_props["name"]])
        return AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return dbt_resource_props["fqn"][1]  # staging, intermediate or marts


TRANSLATOR = WarehouseTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


def dbt_build_args(settings: Settings, window: tuple[date, date] | None) -> list[str]:
    """`dbt build` of the delivery days [first, end), or of everything without a window.

    Unit tests are left to the test suite: they check the SQL, not the data.
    """
    variables: dict[str, Any] = {
        "warehouse": str(settings.warehouse.resolve()),
        "memory_limit": f"{psutil.virtual_memory().total // 2 // 2**20}MB",
        "min_group_size": settings.min_group_size,
        "as_of": settings.as_of.isoformat(),
    }
    if window is not None:
        variables |= {"min_date": window[0].isoformat(), "max_date": window[1].isoformat()}
    return ["build", "--vars", json.dumps(variables), "--exclude-resource-type", "unit_test"]


def dbt_errors(run_results: Mapping[str, Any]) -> list[str]:
    """The models and tests dbt could not run, one line each; a test that ran and found rows
    is not among them (its failed check reports it)."""
    return [
        f"{result['unique_id']}: {(result.get('message') or 'error').strip().splitlines()[0]}"
        for result in run_results["results"]
        if result["status"] == "error"
    ]


def _stopped_early(error: Exception | None) -> str:
    """dbt's own error when it stopped before running anything (a profile it cannot use)."""
    parsed = str(error).partition("Errors parsed from dbt logs:")[2].split()
    return " ".join(parsed) or "dbt stopped; see dbt-output.log in DAGSTER_HOME"


def _build(context: AssetExecutionContext, dbt: DbtCliResource, args: list[str], label: str):
    """Run dbt, pass its events on to Dagster, and report one line of what it did; returns
    whether dbt succeeded. Tests that fail let the run go on to report them as failed checks;
    a model or test dbt could not run fails the step, naming it, so that nothing downstream
    (the published copies) reads as done."""
    started = time.monotonic()
    built = passed = failed = 0
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    for event in invocation.stream():
        if isinstance(event, AssetCheckResult):
            passed += event.passed
            failed += not event.passed
        else:
            built += 1
        yield event
    report(
        context,
        f"dbt {label}: {built} built, {passed} tests passed, {failed} failed, "
        f"in {time.monotonic() - started:.1f} s",
    )
    if invocation.is_successful():
        return True
    try:
        errors = dbt_errors(invocation.get_artifact("run_results.json"))
    except FileNotFoundError:
        errors = [_stopped_early(invocation.get_error())]
    if errors:
        raise Failure(description=f"dbt {label}: {'; '.join(errors)}")
    return False


MANIFEST = prepare_manifest()


@dbt_assets(
    manifest=MANIFEST,
    select=DAILY,
    name="daily_models",
    partitions_def=delivery_days,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def daily_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    args = dbt_build_args(warehouse.settings(), (first, end))
    with warehouse.read() as con:
        purged = pending_purged_days(con)
    label = f"daily models, delivery days {first} to {end}"
    if purged:
        label += f", and {len(purged)} day(s) a purge touched"
    if (yield from _build(context, dbt, args, label)) and purged:
        with warehouse.connect(warehouse.secret_keys(), context.log) as con:
            clear_purged_days(con, purged)


@dbt_assets(
    manifest=MANIFEST,
    exclude=DAILY,
    name="whole_models",
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def whole_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _build(context, dbt, dbt_build_args(warehouse.settings(), None), "whole models")
