"""A snapshot of the asset graph: lineage, partitions and checks change only on purpose."""

from orchestration.definitions import defs
from orchestration.partitions import delivery_days

INGESTION = ["events", "listings", "privacy_purge", "privacy_rules", "searches"]
DAILY_MODELS = [
    "fct_adverts_daily",
    "fct_listings_daily",
    "fct_searches_daily",
    "fct_traffic_daily",
    "int_activity_sessionized",
    "int_sessions",
]
WHOLE_MODELS = [
    "dim_listings",
    "fct_consent_daily",
    "fct_erasure_requests",
    "fct_ingestion_outcomes_daily",
    "fct_privacy_audit",
    "fct_recommender_input_daily",
    "fct_user_listing_interactions",
    "int_listings_current",
    *[
        f"stg_{table}"
        for table in (
            "account_changes",
            "consent_changes",
            "corrections",
            "erasure_requests",
            "events",
            "identity_links",
            "ingestion_drops",
            "landing_files",
            "listing_versions",
            "privacy_audit",
            "quarantine",
            "searches",
            "suppressed_subjects",
        )
    ],
]
INGESTION_CHECKS = ("expectations", "no_forbidden_subjects", "no_personal_data", "values_in_class")
DASHBOARD_MARTS = [
    "fct_adverts_daily",
    "fct_consent_daily",
    "fct_listings_daily",
    "fct_searches_daily",
    "fct_traffic_daily",
]


def _nodes() -> dict:
    graph = defs.resolve_asset_graph()
    return {node.key.to_user_string(): node for node in graph.asset_nodes}


def test_asset_graph_snapshot() -> None:
    assets = _nodes()
    assert sorted(assets) == sorted(
        [*INGESTION, *DAILY_MODELS, *WHOLE_MODELS, "serving_copy", "recommendations"]
    )
    for name in ("events", "searches", *DAILY_MODELS):
        node = assets[name]
        assert node.partitions_def == delivery_days, name
        assert node.backfill_policy is not None
        assert node.backfill_policy.max_partitions_per_run is None  # one run per backfill
    for name in ("events", "searches"):
        assert {p.to_user_string() for p in assets[name].parent_keys} == {
            "privacy_rules",
            "listings",
        }
    for name in ("privacy_rules", "listings", "serving_copy", "recommendations", *WHOLE_MODELS):
        assert assets[name].partitions_def is None, name
    assert {p.to_user_string() for p in assets["stg_events"].parent_keys} == {"events"}
    # the purge follows ingestion and comes before every model that reads what it purges
    assert {p.to_user_string() for p in assets["privacy_purge"].parent_keys} == {
        "privacy_rules",
        "listings",
        "events",
        "searches",
    }
    assert assets["privacy_purge"].partitions_def is None
    for name in ("int_activity_sessionized", "fct_traffic_daily", "stg_privacy_audit"):
        assert "privacy_purge" in {p.to_user_string() for p in assets[name].parent_keys}, name
    assert {p.to_user_string() for p in assets["stg_listing_versions"].parent_keys} == {"listings"}
    marts = {name for name in assets if name.startswith(("fct_", "dim_"))}
    assert {p.to_user_string() for p in assets["serving_copy"].parent_keys} == marts
    # trained on the published copy, so it needs no write slot
    assert {p.to_user_string() for p in assets["recommendations"].parent_keys} == {"serving_copy"}


def test_checks_snapshot() -> None:
    graph = defs.resolve_asset_graph()
    checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}
    ours = sorted(
        check for check in checks if check.endswith(tuple(f":{name}" for name in INGESTION_CHECKS))
    )
    assert ours == sorted(
        [
            *[f"{feed}:{check}" for feed in ("events", "searches") for check in INGESTION_CHECKS],
            *[f"{mart}:expectations" for mart in DASHBOARD_MARTS],
        ]
    )
    assert all(
        graph.get_check_spec(key).blocking
        for key in graph.asset_check_keys
        if key.name in INGESTION_CHECKS
    )
    # dbt's data tests are checks too: every mart's grain is one
    grains = {check.split(":")[0] for check in checks if ":unique_combination_" in check}
    assert {name for name in _nodes() if name.startswith("fct_")} <= grains


def test_every_warehouse_writer_shares_one_pool() -> None:
    job = defs.resolve_job_def("pipeline")
    pools = {node.name: node.definition.pool for node in job.nodes}
    # ingestion makes three ops (usage makes two assets), the purge one, dbt two, publishing
    # one; eight ingestion checks and one per dashboard mart; the recommendations read no
    # warehouse
    assert pools.pop("recommendations") is None
    assert len(pools) == 3 + 1 + 2 + 1 + 2 * len(INGESTION_CHECKS) + len(DASHBOARD_MARTS)
    assert set(pools.values()) == {"warehouse"}


def test_schedule_and_sensor_exist_and_start_switched_off() -> None:
    schedule = defs.resolve_schedule_def("daily_pipeline")
    assert schedule.execution_timezone == "Asia/Almaty"
    assert schedule.default_status.value == "STOPPED"
    assert defs.resolve_sensor_def("late_files").default_status.value == "STOPPED"


def test_the_purge_job_is_everything_but_ingesting_usage_days() -> None:
    job = defs.resolve_job_def("purge")
    ops = {node.name for node in job.nodes}
    assert {"privacy_rules", "listings", "privacy_purge", "daily_models", "whole_models"} <= ops
    assert {"serving_copy", "recommendations"} <= ops
    assert "usage" not in ops
