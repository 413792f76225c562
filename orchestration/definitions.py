"""Everything Dagster loads: `dagster dev -m orchestration.definitions` and `almaty ui`."""

from __future__ import annotations

import os

from dagster import Definitions

from almaty.config import load_settings
from orchestration.assets import listings, privacy_rules, usage
from orchestration.checks import ingestion_checks
from orchestration.jobs import daily_ingest, ingest_job
from orchestration.resources import WarehouseResource
from orchestration.sensors import late_files


def build_definitions(warehouse: WarehouseResource) -> Definitions:
    return Definitions(
        assets=[privacy_rules, listings, usage],
        asset_checks=ingestion_checks,
        jobs=[ingest_job],
        schedules=[daily_ingest],
        sensors=[late_files],
        resources={"warehouse": warehouse},
    )


defs = build_definitions(
    WarehouseResource.from_settings(load_settings(), as_of=os.environ.get("ALMATY_AS_OF", ""))
)
