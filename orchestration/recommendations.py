"""The recommendation export, trained on the published marts after every build."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.assets import report
from orchestration.resources import WarehouseResource
from recommender.snapshot import export_recommendations
from serving.published_copy import open_serving_copy


@asset(
    deps=["serving_copy"],
    group_name="serving",
    description=(
        "Recommendations per user and per listing, and the popular list, written as a new "
        "version under ALMATY_EXPORT_DIR/recommendations for the HTTP service."
    ),
)
def recommendations(context: AssetExecutionContext, warehouse: WarehouseResource):
    # The published copy, not the warehouse: training holds no write slot.
    settings = warehouse.settings()
    with open_serving_copy(settings.published) as con:
        folder = export_recommendations(
            con,
            settings.export_dir,
            datetime.now(UTC),
            progress=lambda line: report(context, line),
        )
    return MaterializeResult(metadata={"version": folder.name if folder else "none written"})
