"""The purge as an asset: after ingestion, before the dbt models, in every run."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, asset

from ingestion.compaction import compact_database
from ingestion.purge import describe_purge, purge_warehouse
from orchestration.assets import GROUP, WAREHOUSE_POOL, listings, privacy_rules, report
from orchestration.resources import WarehouseResource
from recommender.export import remove_users


@asset(deps=[privacy_rules, listings, "events", "searches"], pool=WAREHOUSE_POOL, group_name=GROUP)
def privacy_purge(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Every table, mart and recommendation export brought in line with today's privacy rules.

    Removes erased, opted-out and expired subjects everywhere, withdraws personalization and
    marketing from refusing subjects' rows, appends the audit, queues the days the daily
    models must rebuild, and rewrites the warehouse file when something was removed so the
    old bytes are gone from the disk.
    """
    settings = warehouse.settings()

    def clean_exports(subjects):
        removed = remove_users(settings.export_dir, subjects)
        return {(*label, file): rows for (label, file), rows in removed.items()}

    with warehouse.connect(warehouse.secret_keys(), context.log) as con:
        result = purge_warehouse(
            con, settings.as_of, settings.retention_years, datetime.now(UTC), clean_exports
        )
    report(context, describe_purge(result))
    metadata = {**result.totals(), "days_to_rebuild": len(result.days)}
    if result.needs_compaction:
        before, after = compact_database(settings.warehouse)
        report(context, f"purge: warehouse file rewritten, {before:,} -> {after:,} bytes")
        metadata["file_bytes"] = after
    return MaterializeResult(metadata={**metadata, "purge_id": result.purge_id})
