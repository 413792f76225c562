"""The pipeline job, and the schedule that runs it each morning for the day delivered."""

from __future__ import annotations

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

pipeline_job = define_asset_job(
    "pipeline",
    selection=AssetSelection.all(),
    description=(
        "Privacy rules and listings, events and searches of the chosen delivery days, the "
        "purge, the dbt models over them, then the published copies and the export."
    ),
)

# `almaty privacy purge`: everything but ingesting usage days. The daily models still need a
# partition: the newest ingested delivery day is rebuilt with the days the purge touched.
purge_job = define_asset_job(
    "purge",  # not "privacy_purge": that is the asset's op
    selection=AssetSelection.all() - AssetSelection.assets("events", "searches"),
    description=(
        "Privacy rules and listings, the purge, the dbt models of the days it touched, then "
        "the published copies and the export; no usage day is ingested."
    ),
)

# 05:30 in Asia/Almaty, the partitions' time zone: yesterday's delivery is complete.
daily_pipeline = build_schedule_from_partitioned_job(
    pipeline_job, hour_of_day=5, minute_of_hour=30, name="daily_pipeline"
)
