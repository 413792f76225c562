"""The published read-only copy of the marts, refreshed after every successful build."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.assets import WAREHOUSE_POOL
from orchestration.models import daily_models, whole_models
from orchestration.resources import WarehouseResource
from serving.published_copy import publish_access_copy, publish_serving_copy

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
        "The marts copied into a file of their own for readers, and the rows per person into "
        "another for access requests; each replaced atomically."
    ),
)
def serving_copy(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    publication = publish_serving_copy(settings.warehouse, settings.published)
    context.log.info(f"published {len(publication.tables)} marts to {publication.path}")
    access = publish_access_copy(settings.warehouse, settings.access_copy)
    context.log.info(f"published {len(access.tables)} tables per person to {access.path}")
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            "access_path": str(access.path),
            **{f"rows_{table}": rows for table, rows in publication.tables.items()},
        }
    )
