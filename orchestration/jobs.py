"""The ingestion job, and the schedule that runs it each morning for the day delivered."""

from __future__ import annotations

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

from orchestration.assets import GROUP

ingest_job = define_asset_job(
    "ingest",
    selection=AssetSelection.groups(GROUP),
    description="Privacy rules, listings, then events and searches of the chosen delivery days.",
)

# 05:30 in Asia/Almaty, the partitions' time zone: yesterday's delivery is complete.
daily_ingest = build_schedule_from_partitioned_job(
    ingest_job, hour_of_day=5, minute_of_hour=30, name="daily_ingest"
)
