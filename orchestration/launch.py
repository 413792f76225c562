"""`almaty run` and `almaty ui`: the pipeline as one Dagster run, from the command line."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from almaty.config import Settings
from almaty.errors import AlmatyError, ConfigError
from almaty.secret import load_secret
from landing.contract import delivery_days
from orchestration.partitions import FIRST_DAY, TIMEZONE

DAGSTER_YAML = """\
# Written by `almaty`: every asset that writes the warehouse shares the pool
# "warehouse", and one slot means a second run waits instead of failing on DuckDB's lock.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


@dataclass(frozen=True)
class RunOutcome:
    first: date
    last: date
    success: bool
    failures: list[str]
    totals: dict[str, dict[str, int]]


def dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if set, else a folder beside the warehouse; with its pool settings."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.warehouse.parent / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home.resolve()


def last_complete_day(now: datetime | None = None) -> date:
    """Yesterday in Almaty: today's delivery is still being written."""
    now = now or datetime.now(ZoneInfo(TIMEZONE))
    return now.astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)


def choose_days(
    present: list[date], first: date | None, last: date | None, newest: date
) -> tuple[date, date]:
    """The range to ingest: the given bounds, else the days present in the landing zone."""
    if first is None or last is None:
        if not present:
            raise AlmatyError("the landing zone has no delivery days (events/date=YYYY-MM-DD)")
        first = first or present[0]
        last = last or min(present[-1], newest)
    if first > last:
        raise AlmatyError(f"--from {first} is after --to {last}", exit_code=2)
    if first < date.fromisoformat(FIRST_DAY):
        raise AlmatyError(f"--from {first}: the warehouse starts on {FIRST_DAY}", exit_code=2)
    if last > newest:
        raise AlmatyError(
            f"--to {last}: that delivery day is not complete yet; the newest is {newest}",
            exit_code=2,
        )
    return first, last


def _failure_lines(result) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error.cause is not None:
                error = error.cause
            message = error.message.strip().splitlines()[0]
            kind, _, rest = message.partition(": ")
            if rest and error.cls_name and kind.endswith(error.cls_name):
                message = rest
            lines.append(f"{event.step_key} failed: {message}")
    # A check that fails alike on several assets (a day not read fails events and searches)
    # is one line naming them all.
    failed_checks: dict[tuple[str, str], list[str]] = {}
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            # our checks say what broke; a dbt test's failing rows are in dbt-output.log
            problems = evaluation.metadata.get("problems")
            detail = getattr(problems, "value", problems) or "see dbt-output.log in DAGSTER_HOME"
            assets = failed_checks.setdefault((evaluation.check_name, str(detail)), [])
            assets.append(evaluation.asset_key.to_user_string())
    for (check_name, detail), assets in failed_checks.items():
        lines.append(f"check {check_name} on {', '.join(assets)} failed: {detail}")
    return lines


def _check_setup(settings: Settings) -> None:
    if not settings.landing_dir.is_dir():
        raise ConfigError(
            f"ALMATY_LANDING_DIR {settings.landing_dir}: no landing zone there "
            "(create one with `almaty generate`)"
        )
    load_secret(settings.secret_key_file)


def run_pipeline(settings: Settings, first: date | None, last: date | None) -> RunOutcome:
    """Materialize every asset for the delivery days as one in-process Dagster run."""
    _check_setup(settings)
    first, last = choose_days(delivery_days(settings.landing_dir), first, last, last_complete_day())
    os.environ["DAGSTER_HOME"] = str(dagster_home(settings))
    print(f"delivery days {first} to {last}, as one Dagster run ...", flush=True)
    return _execute(settings, "pipeline", first, last)


def newest_ingested_day(home: Path) -> date:
    """The newest delivery day Dagster recorded as ingested (no warehouse lock needed)."""
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        days = instance.get_materialized_partitions(AssetKey("events"))
    if not days:
        raise AlmatyError("nothing has been ingested yet: run `almaty run` first")
    return date.fromisoformat(max(days))


def run_purge(settings: Settings) -> RunOutcome:
    """The purge and what must follow it (models, published copies, export), as one run.

    The daily models take a partition: the newest ingested day is rebuilt too.
    """
    _check_setup(settings)
    home = dagster_home(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    newest = newest_ingested_day(home)
    print(f"privacy purge (daily models of {newest} and the days it touches) ...", flush=True)
    return _execute(settings, "purge", newest, newest)


def _execute(settings: Settings, job_name: str, first: date, last: date) -> RunOutcome:
    """Run `job_name` for the partitions first..last in process; what happened."""
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.resources import WarehouseResource

    progress = logging.getLogger("almaty.progress")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False
    job = build_definitions(
        WarehouseResource.from_settings(settings, os.environ.get("ALMATY_AS_OF", ""))
    ).resolve_job_def(job_name)
    # dbt writes every log line to standard output: keep them in a file, out of the way.
    dbt_output = Path(os.environ["DAGSTER_HOME"]) / "dbt-output.log"
    try:
        with (
            DagsterInstance.get() as instance,
            dbt_output.open("w") as dbt_log,
            contextlib.redirect_stdout(dbt_log),
        ):
            result = job.execute_in_process(
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": first.isoformat(),
                    "dagster/asset_partition_range_end": last.isoformat(),
                },
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                raise_on_error=False,
            )
    finally:
        progress.removeHandler(handler)
    failures = _failure_lines(result)
    totals = {
        event.asset_key.to_user_string(): {
            key: value.value
            for key, value in event.step_materialization_data.materialization.metadata.items()
            if isinstance(value.value, int)
        }
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }
    return RunOutcome(first, last, result.success and not failures, failures, totals)


def _raise_on_failure(outcome: RunOutcome) -> None:
    if not outcome.success:
        raise AlmatyError("; ".join(outcome.failures) or "the Dagster run failed")


def purge_and_report(settings: Settings) -> RunOutcome:
    """`almaty privacy purge`: run the purge job, raise on any failure, say where things are."""
    outcome = run_purge(settings)
    _raise_on_failure(outcome)
    print(f"done: {settings.warehouse}, its published copies and the exports are purged")
    return outcome


def run_and_report(settings: Settings, first: date | None, last: date | None) -> RunOutcome:
    """Run the pipeline, raise on any failure, and print what it stored."""
    outcome = run_pipeline(settings, first, last)
    _raise_on_failure(outcome)
    for asset_name in ("events", "searches"):
        totals = outcome.totals.get(asset_name, {})
        dropped = sum(v for k, v in totals.items() if k.startswith("dropped_"))
        quarantined = sum(v for k, v in totals.items() if k.startswith("quarantined_"))
        print(
            f"{asset_name}: read {totals.get('read', 0):,}, stored {totals.get('stored', 0):,}, "
            f"dropped {dropped:,}, quarantined {quarantined:,}"
        )
    print(f"done: delivery days {outcome.first} to {outcome.last} are in {settings.warehouse}")
    print(f"the marts for dashboards and the service are published in {settings.published}")
    return outcome


def start_ui(settings: Settings, port: int) -> int:
    """`dagster dev` on the same definitions and Dagster home as `almaty run`."""
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home(settings))}
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "orchestration.definitions",
        "-p",
        str(port),
    ]
    print(f"Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops it)", flush=True)
    return subprocess.call(command, env=env)
