"""The late_files sensor: a day already ingested whose folder changed is ingested again."""

import json

from dagster import AssetMaterialization, DagsterInstance, SkipReason, build_sensor_context

from almaty.config import load_settings
from orchestration.resources import WarehouseResource
from orchestration.sensors import late_files


def _tick(instance, warehouse, cursor):
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": warehouse}
    )
    result = late_files(context)
    return result, context.cursor


def test_late_files_rerun_an_ingested_day_only(cli_zone, almaty_env) -> None:
    for day in ("2026-01-10", "2026-01-11"):
        cli_zone.events(day, [cli_zone.event(f"e-{day}", f"{day}T10:00:00+05:00")])
    settings = load_settings(almaty_env)
    warehouse = WarehouseResource.from_settings(settings)
    with DagsterInstance.ephemeral() as instance:
        instance.report_runless_asset_event(
            AssetMaterialization(asset_key="events", partition="2026-01-10")
        )
        first, cursor = _tick(instance, warehouse, None)
        assert isinstance(first, SkipReason)  # the first look only records what is there

        quiet, cursor = _tick(instance, warehouse, cursor)
        assert isinstance(quiet, SkipReason)

        cli_zone.events("2026-01-10", [cli_zone.event("late", "2026-01-10T23:50:00+05:00")])
        cli_zone.events("2026-01-11", [cli_zone.event("new", "2026-01-11T11:00:00+05:00")])
        before_change = cursor
        requests, cursor = _tick(instance, warehouse, cursor)
        assert [r.partition_key for r in requests] == ["2026-01-10"]  # not the new day
        # the cursor Dagster stores holds digests, never a name the website gave a file
        names = {p.name for p in settings.landing_dir.rglob("*") if p.is_file()}
        assert names and not any(name in cursor for name in names)
        # evaluated again from the same state (a daemon restart), the run key is the same,
        # so Dagster does not launch the day twice
        replay, _ = _tick(instance, warehouse, before_change)
        assert [r.run_key for r in replay] == [r.run_key for r in requests]

        again, _ = _tick(instance, warehouse, cursor)
        assert isinstance(again, SkipReason)


def test_a_cursor_of_file_listings_from_before_digests_is_a_first_look(cli_zone, almaty_env):
    """Upgrading must not re-run every ingested day because the cursor's form changed."""
    day = "2026-01-10"
    path = cli_zone.events(day, [cli_zone.event("e1", f"{day}T10:00:00+05:00")])
    warehouse = WarehouseResource.from_settings(load_settings(almaty_env))
    old_cursor = json.dumps({day: json.dumps([[path.as_posix(), 1, 2]])})
    with DagsterInstance.ephemeral() as instance:
        instance.report_runless_asset_event(AssetMaterialization(asset_key="events", partition=day))
        result, cursor = _tick(instance, warehouse, old_cursor)
        assert isinstance(result, SkipReason)
        assert path.name not in cursor
        quiet, _ = _tick(instance, warehouse, cursor)
        assert isinstance(quiet, SkipReason)
