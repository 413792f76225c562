"""The recommendation export, trained on the lake's marts after every build."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, asset

from ingestion.lake import connect_lake
from orchestration.assets import report
from orchestration.resources import WarehouseResource
from recommender.snapshot import export_recommendations


@asset(
    deps=["serving_copy"],
    group_name="serving",
    description=(
        "Recommendations per user and per listing, and the popular list, written as a new "
        "version under ALMATY_EXPORT_DIR/recommendations for the HTTP service."
    ),
)
def recommendations(context: AssetExecutionContext, warehouse: WarehouseResource):
    # A read-only attachment of the lake: training holds no write slot and waits for none.
    settings = warehouse.settings()
    with connect_lake(settings.warehouse, read_only=True) as con:
        folder = export_recommendations(
            con,
            settings.export_dir,
            datetime.now(UTC),
            progress=lambda line: report(context, line),
        )
    return MaterializeResult(metadata={"version": folder.name if folder else "none written"})
