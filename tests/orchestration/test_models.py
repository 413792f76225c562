"""How Dagster calls dbt: the command line per partition window, and a fresh manifest."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import psutil
import pytest

from almaty.config import load_settings
from almaty.errors import AlmatyError
from orchestration.dbt_manifest import DBT_PROJECT_DIR, prepare_manifest
from orchestration.models import dbt_build_args, dbt_errors

SETTINGS = replace(
    load_settings({"ALMATY_AS_OF": "2026-01-14", "ALMATY_MIN_GROUP_SIZE": "25"}),
    warehouse=Path("data/wh"),
)


def _vars(args: list[str]) -> dict:
    return json.loads(args[args.index("--vars") + 1])


def test_a_partition_window_reaches_dbt_half_open() -> None:
    args = dbt_build_args(SETTINGS, (date(2026, 1, 10), date(2026, 1, 13)))
    assert args[0] == "build"
    variables = _vars(args)
    # DuckDB spills to disk beyond half of the machine's memory, given as MB
    assert variables.pop("memory_limit") == f"{psutil.virtual_memory().total // 2**21}MB"
    assert variables == {
        "warehouse": str(Path("data/wh").resolve()),  # dbt runs in its own folder
        "min_group_size": 25,
        "as_of": "2026-01-14",
        "min_date": "2026-01-10",
        "max_date": "2026-01-13",
    }


def test_without_a_window_dbt_keeps_its_defaults_and_skips_unit_tests() -> None:
    args = dbt_build_args(SETTINGS, None)
    assert "min_date" not in _vars(args) and "max_date" not in _vars(args)
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_the_manifest_is_parsed_again_only_after_a_change(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    manifest = prepare_manifest(project)
    parsed_at = manifest.stat().st_mtime_ns
    assert prepare_manifest(project).stat().st_mtime_ns == parsed_at  # nothing changed
    model = project / "models" / "marts" / "adverts" / "fct_adverts_daily.sql"
    later = manifest.stat().st_mtime + 5
    os.utime(model, (later, later))
    assert prepare_manifest(project).stat().st_mtime_ns != parsed_at
    nodes = json.loads(manifest.read_text())["nodes"]
    assert "model.visit_almaty.fct_adverts_daily" in nodes


def test_a_broken_project_is_a_one_line_error(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "broken.sql").write_text("select {{ ref('no_such_model') }}")
    with pytest.raises(AlmatyError, match="dbt parse failed") as caught:
        prepare_manifest(project)
    assert "\n" not in str(caught.value)


def test_dbt_errors_name_what_could_not_run_but_not_tests_that_found_rows() -> None:
    run_results = {
        "results": [
            {"unique_id": "model.visit_almaty.stg_events", "status": "success", "message": None},
            {
                "unique_id": "model.visit_almaty.fct_traffic_daily",
                "status": "error",
                "message": 'Binder Error: column "app" not found\n\nLINE 4: ...',
            },
            {"unique_id": "test.visit_almaty.not_null_x", "status": "fail", "message": "Got 3"},
            {"unique_id": "model.visit_almaty.dim_listings", "status": "skipped", "message": ""},
        ]
    }
    assert dbt_errors(run_results) == [
        'model.visit_almaty.fct_traffic_daily: Binder Error: column "app" not found'
    ]
