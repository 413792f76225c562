"""The purge as an asset: after ingestion, before the dbt models, in every run.

It brings every copy in line itself (the lake's files and catalog, the exports, the published
copy), so a step after it that fails (a dbt test, say) leaves no purged row anywhere readers
look.
"""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, asset

from ingestion.lake import expire_old_snapshots, remove_deleted_bytes
from ingestion.purge import PurgeResult, describe_purge, purge_warehouse
from orchestration.assets import GROUP, WAREHOUSE_POOL, listings, privacy_rules, report
from orchestration.resources import WarehouseResource
from recommender.export import remove_users
from serving.published_copy import republish_serving_copy

# Readers that attached the lake before a purge finish on their snapshot for this long
# before its files are deleted.
READER_GRACE_SECONDS = 3


@asset(deps=[privacy_rules, listings, "events", "searches"], pool=WAREHOUSE_POOL, group_name=GROUP)
def privacy_purge(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Every table, mart, published copy and recommendation export brought in line with
    today's privacy rules.

    Removes erased, opted-out and expired subjects everywhere, withdraws personalization and
    marketing from refusing subjects' rows, appends the audit, queues the days the daily
    models must rebuild; when something was removed, rewrites the lake's files that held it,
    expires the snapshots that still name the old ones and vacuums the catalog, so the old
    values are gone from the disk, and publishes the dashboards' copy again. A purge that
    changed nothing only lets go of the snapshots earlier runs left (no history is kept).
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
        if result.needs_rewrite:
            files = remove_deleted_bytes(con, settings.warehouse, READER_GRACE_SECONDS)
        else:
            files = expire_old_snapshots(con)
    metadata = {**result.totals(), "days_to_rebuild": len(result.days), "files_deleted": files}
    if result.needs_rewrite:
        report(context, f"purge: files rewritten, {files:,} old ones deleted, catalog vacuumed")
    metadata["copy_republished"] = False
    if _changed_the_warehouse(result):
        published = settings.published
        was_there = published.exists()
        publication = republish_serving_copy(settings.warehouse, published)
        if publication is not None:
            report(context, f"purge: {published.name} published again without the purged rows")
        elif was_there:
            report(context, f"purge: {published.name} withdrawn: no models to make it from")
        metadata["copy_republished"] = publication is not None
    return MaterializeResult(metadata={**metadata, "purge_id": result.purge_id})


def _changed_the_warehouse(result: PurgeResult) -> bool:
    """Rows went or changed in the warehouse (not only in the exports), or the suppression
    list or the retired listings changed: the published copies may hold what is no more."""
    return result.rules_changed or any(
        change != "export_rows_deleted" for (_, _, _, change) in result.changes
    )
