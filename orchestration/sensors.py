"""Late files: a day already ingested whose folder changed is ingested again."""

import hashlib
import json
from pathlib import Path

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from landing.contract import DAY_PARTITIONED_FEEDS, delivery_days, feed_files
from orchestration.jobs import pipeline_job
from orchestration.resources import WarehouseResource


def day_fingerprints(landing_dir: Path) -> dict[str, str]:
    """Per delivery day, a digest of its files' names, sizes and modification times: the
    cursor Dagster keeps holds no file name the website chose."""
    fingerprints = {}
    for day in delivery_days(landing_dir):
        files = [p for feed in DAY_PARTITIONED_FEEDS for p in feed_files(landing_dir, feed, day)]
        stats = [(p.as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
        digest = hashlib.sha256(json.dumps(sorted(stats)).encode())
        fingerprints[day.isoformat()] = digest.hexdigest()
    return fingerprints


def changed_ingested_days(
    previous: dict[str, str], current: dict[str, str], ingested: set[str]
) -> list[str]:
    """Days already ingested whose files changed since the last look; new days are left to
    the schedule."""
    return sorted(
        day for day, print_ in current.items() if day in ingested and previous.get(day) != print_
    )


def _is_digest(print_: str) -> bool:
    return len(print_) == 64 and all(c in "0123456789abcdef" for c in print_)


@sensor(job=pipeline_job, minimum_interval_seconds=300, default_status=DefaultSensorStatus.STOPPED)
def late_files(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """Re-runs a delivery day when files arrive in its folder after it was ingested."""
    current = day_fingerprints(warehouse.settings().landing_dir)
    previous = json.loads(context.cursor) if context.cursor else None
    # a cursor from before the digests holds file listings: every day would differ from it
    if previous is None or not all(_is_digest(print_) for print_ in previous.values()):
        context.update_cursor(json.dumps(current))
        return SkipReason("first look at the landing zone: fingerprints recorded")
    ingested = context.instance.get_materialized_partitions(AssetKey("events"))
    days = changed_ingested_days(previous, current, set(ingested))
    context.update_cursor(json.dumps(current))
    if not days:
        return SkipReason("no late files")
    return [
        RunRequest(
            partition_key=day,
            run_key=f"{day}:{current[day][:16]}",
            tags={"late": "true"},
        )
        for day in days
    ]
