"""Everything Dagster loads: `dagster dev -m orchestration.definitions` and `almaty ui`."""

from __future__ import annotations

import os

from dagster import Definitions
from dagster_dbt import DbtCliResource

from almaty.config import load_settings
from orchestration.assets import listings, privacy_rules, usage
from orchestration.checks import ingestion_checks, mart_checks
from orchestration.dbt_manifest import DBT_EXECUTABLE, dbt_project
from orchestration.jobs import daily_pipeline, pipeline_job, purge_job
from orchestration.models import daily_models, whole_models
from orchestration.privacy import privacy_purge
from orchestration.publishing import serving_copy
from orchestration.recommendations import recommendations
from orchestration.resources import WarehouseResource
from orchestration.sensors import late_files


def build_definitions(warehouse: WarehouseResource) -> Definitions:
    return Definitions(
        assets=[
            privacy_rules,
            listings,
            usage,
            privacy_purge,
            whole_models,
            daily_models,
            serving_copy,
            recommendations,
        ],
        asset_checks=[*ingestion_checks, *mart_checks],
        jobs=[pipeline_job, purge_job],
        schedules=[daily_pipeline],
        sensors=[late_files],
        resources={
            "warehouse": warehouse,
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        },
    )


defs = build_definitions(
    WarehouseResource.from_settings(load_settings(), as_of=os.environ.get("ALMATY_AS_OF", ""))
)
