"""A snapshot of the asset graph: lineage, partitions and checks change only on purpose."""

from orchestration.definitions import defs
from orchestration.partitions import delivery_days


def test_asset_graph_snapshot() -> None:
    graph = defs.resolve_asset_graph()
    assets = {node.key.to_user_string(): node for node in graph.asset_nodes}
    assert sorted(assets) == ["events", "listings", "privacy_rules", "searches"]
    for name in ("events", "searches"):
        node = assets[name]
        assert node.partitions_def == delivery_days
        assert node.backfill_policy is not None
        assert node.backfill_policy.max_partitions_per_run is None  # one run per backfill
        assert {p.to_user_string() for p in node.parent_keys} == {"privacy_rules", "listings"}
    assert assets["privacy_rules"].partitions_def is None
    checks = sorted(
        f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys
    )
    assert checks == [
        f"{feed}:{check}"
        for feed in ("events", "searches")
        for check in ("expectations", "no_forbidden_subjects", "no_personal_data")
    ]
    assert all(graph.get_check_spec(key).blocking for key in graph.asset_check_keys)


def test_every_warehouse_writer_shares_one_pool() -> None:
    job = defs.resolve_job_def("ingest")
    pools = {node.name: node.definition.pool for node in job.nodes}
    assert len(pools) == 3 + 6  # three asset ops (usage makes two assets) and six checks
    assert set(pools.values()) == {"warehouse"}


def test_schedule_and_sensor_exist_and_start_switched_off() -> None:
    schedule = defs.resolve_schedule_def("daily_ingest")
    assert schedule.execution_timezone == "Asia/Almaty"
    assert schedule.default_status.value == "STOPPED"
    assert defs.resolve_sensor_def("late_files").default_status.value == "STOPPED"
