"""The purge as an asset: after ingestion, before the dbt models, in every run.

It brings every copy in line itself (the warehouse file, the exports, the published copies),
so a step after it that fails (a dbt test, say) leaves no purged row anywhere readers look.
"""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, asset

from ingestion.compaction import compact_database
from ingestion.purge import PurgeResult, describe_purge, purge_warehouse
from orchestration.assets import GROUP, WAREHOUSE_POOL, listings, privacy_rules, report
from orchestration.resources import WarehouseResource
from recommender.export import remove_users
from serving.published_copy import republish_copies


@asset(deps=[privacy_rules, listings, "events", "searches"], pool=WAREHOUSE_POOL, group_name=GROUP)
def privacy_purge(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Every table, mart, published copy and recommendation export brought in line with
    today's privacy rules.

    Removes erased, opted-out and expired subjects everywhere, withdraws personalization and
    marketing from refusing subjects' rows, appends the audit, queues the days the daily
    models must rebuild, rewrites the warehouse file when something was removed so the old
    bytes are gone from the disk, and then publishes the readers' copies again from it. A
    purge that changed nothing leaves the file and the copies as they are.
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
    metadata["copies_republished"] = 0
    if _changed_the_warehouse(result):
        copies = republish_copies(settings.warehouse, settings.published, settings.access_copy)
        for path, publication in copies.items():
            if publication is None:
                report(context, f"purge: {path.name} withdrawn: no models to make it from")
            else:
                report(context, f"purge: {path.name} published again without the purged rows")
        metadata["copies_republished"] = sum(p is not None for p in copies.values())
    return MaterializeResult(metadata={**metadata, "purge_id": result.purge_id})


def _changed_the_warehouse(result: PurgeResult) -> bool:
    """Rows went or changed in the warehouse (not only in the exports), or the suppression
    list or the retired listings changed: the published copies may hold what is no more."""
    return result.rules_changed or any(
        change != "export_rows_deleted" for (_, _, _, change) in result.changes
    )
