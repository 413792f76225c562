"""The dashboards' copy of the marts, refreshed after every successful build."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.assets import WAREHOUSE_POOL
from orchestration.models import daily_models, whole_models
from orchestration.resources import WarehouseResource
from serving.published_copy import publish_serving_copy

MARTS = sorted(
    key
    for models in (daily_models, whole_models)
    for key, group in models.group_names_by_key.items()
    if group == "marts"
)


@asset(
    deps=MARTS,
    group_name="serving",
    pool=WAREHOUSE_POOL,  # reads the warehouse while nothing writes it
    description=(
        "The marts without a row per person, copied into a file of their own for the "
        "dashboards and the service, replaced atomically."
    ),
)
def serving_copy(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    publication = publish_serving_copy(settings.warehouse, settings.published)
    context.log.info(f"published {len(publication.tables)} marts to {publication.path}")
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            **{f"rows_{table}": rows for table, rows in publication.tables.items()},
        }
    )
