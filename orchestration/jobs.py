"""The pipeline job, and the schedule that runs it each morning for the day delivered."""

from __future__ import annotations

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

pipeline_job = define_asset_job(
    "pipeline",
    selection=AssetSelection.all(),
    description=(
        "Privacy rules and listings, events and searches of the chosen delivery days, the dbt "
        "models over them, then the published copy of the marts."
    ),
)

# 05:30 in Asia/Almaty, the partitions' time zone: yesterday's delivery is complete.
daily_pipeline = build_schedule_from_partitioned_job(
    pipeline_job, hour_of_day=5, minute_of_hour=30, name="daily_pipeline"
)
