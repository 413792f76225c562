"""Benchmarks behind `make bench`: figures with the machine they were taken on."""

from __future__ import annotations

import os
import platform
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import psutil

BENCH_DAY = date(2026, 1, 10)  # a Saturday in ski season: a busy day


def machine_description() -> str:
    """One line naming the CPU, cores and memory, to print beside every figure."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = psutil.virtual_memory().total / 2**30
    python = platform.python_version()
    return f"{model}, {os.cpu_count()} cores, {memory_gb:.0f} GiB, Python {python}"


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_generate(events: int, seed: int) -> float:
    """Time one delivery day of `events` events written to a temporary folder."""
    from landing.generate import generate_landing_zone

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        started = time.perf_counter()
        summary = generate_landing_zone(
            Path(tmp) / "landing",
            start=BENCH_DAY,
            days=1,
            users=max(10, events // 50),
            events_per_day=events,
            seed=seed,
        )
        seconds = time.perf_counter() - started
    rate = summary.events / seconds
    print(
        f"generate: {summary.events:,} events, {summary.searches:,} searches, "
        f"{summary.bytes / 1e6:,.0f} MB in {seconds:.2f} s; peak memory {peak_rss_mb():,.0f} MB"
    )
    print(f"generate_events_per_s={rate:,.0f}")
    return rate


def _in_child(function, *args):
    """Run `function` in a fresh process: its peak memory is its own, not the generator's."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _generate_days(landing: Path, events: int, days: int, seed: int) -> tuple[float, float, int]:
    from landing.generate import generate_landing_zone

    started = time.perf_counter()
    summary = generate_landing_zone(
        landing,
        start=BENCH_DAY,
        days=days,
        users=max(10, events // 50),
        events_per_day=events,
        seed=seed,
    )
    return time.perf_counter() - started, peak_rss_mb(), summary.events + summary.searches


def _duckdb_alone(landing: Path, database: Path) -> tuple[float, float]:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        for feed in ("events", "searches"):
            files = str(landing / feed / "date=*" / "*.jsonl*")
            con.execute(
                f"create table {feed} as select * from read_json('{files}', ignore_errors=true)"
            )
    return time.perf_counter() - started, peak_rss_mb()


def _ingest(landing: Path, warehouse: Path, secret_file: Path) -> tuple[float, float, list[str]]:
    """Every delivery day, one after the other on one connection, as `almaty run` does."""
    import psutil

    from almaty.secret import load_secret
    from ingestion.daily import ingest_day
    from ingestion.rules import derive_keys, refresh_listings, refresh_privacy_rules
    from ingestion.warehouse import check_key_version, open_warehouse
    from landing.contract import delivery_days

    started = time.perf_counter()
    keys = derive_keys(load_secret(secret_file))
    days = delivery_days(landing)
    as_of = days[-1]
    lines = []
    with open_warehouse(warehouse) as con:
        check_key_version(con, keys.version)
        con.execute("begin transaction")
        refresh_privacy_rules(con, landing, keys, as_of, 3)
        refresh_listings(con, landing, keys, as_of)
        con.execute("commit")
        for day in days:
            day_started = time.perf_counter()
            ingest_day(con, landing, day, keys, as_of, 3)
            resident = psutil.Process().memory_info().rss / 2**20
            lines.append(
                f"  {day}: {time.perf_counter() - day_started:.2f} s, resident {resident:,.0f} MB, "
                f"peak {peak_rss_mb():,.0f} MB"
            )
    return time.perf_counter() - started, peak_rss_mb(), lines


def bench_ingest(events: int, days: int, seed: int) -> float:
    """Ingestion of generated days with every rule, against DuckDB alone on the same files."""
    from almaty.secret import create_secret

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        seconds, generate_memory, records = _in_child(_generate_days, landing, events, days, seed)
        print(
            f"generated {days} day(s) ({records:,} events and searches for --events {events:,}) "
            f"in {seconds:.1f} s, peak {generate_memory:,.0f} MB"
        )
        size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
        print(f"landing files: {size / 1e6:,.0f} MB")
        baseline, baseline_memory = _in_child(_duckdb_alone, landing, root / "baseline.duckdb")
        print(
            f"duckdb alone (read_json into tables): {baseline:.2f} s, "
            f"peak {baseline_memory:,.0f} MB"
        )
        create_secret(root / "secret.key")
        ingest, ingest_memory, day_lines = _in_child(
            _ingest, landing, root / "warehouse.duckdb", root / "secret.key"
        )
        print("\n".join(day_lines))
        print(f"ingestion with every rule: {ingest:.2f} s, peak {ingest_memory:,.0f} MB")
    ratio = ingest / baseline
    print(f"ingest_ratio={ratio:.2f}")
    return ratio


def _run_dbt(args: list[str]) -> float:
    import subprocess

    from orchestration.dbt_manifest import dbt_command

    started = time.perf_counter()
    result = subprocess.run(dbt_command(args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dbt failed: {result.stdout[-2000:]}")
    return time.perf_counter() - started


def bench_models(events: int, days: int, seed: int) -> float:
    """A full dbt build over `days` ingested days, then the daily models of the last day alone."""
    from datetime import timedelta

    from almaty.config import load_settings
    from almaty.secret import create_secret
    from orchestration.models import DAILY, dbt_build_args

    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory(prefix="almaty-bench-") as tmp:
        root = Path(tmp)
        landing, warehouse = root / "landing", root / "warehouse.duckdb"
        seconds, _, records = _in_child(_generate_days, landing, events, days, seed)
        print(f"generated {days} day(s), {records:,} events and searches, in {seconds:.1f} s")
        create_secret(root / "secret.key")
        seconds, _, _ = _in_child(_ingest, landing, warehouse, root / "secret.key")
        print(f"ingested in {seconds:.1f} s")
        last = BENCH_DAY + timedelta(days=days - 1)
        settings = load_settings(
            {"ALMATY_WAREHOUSE": str(warehouse), "ALMATY_AS_OF": str(last + timedelta(days=1))}
        )
        full = _run_dbt(dbt_build_args(settings, None))
        print(f"dbt build, every model and data test over {days} days: {full:.1f} s")
        window = (last, last + timedelta(days=1))
        one_day = _run_dbt([*dbt_build_args(settings, window), "--select", DAILY])
        print(f"dbt build of the daily models for delivery day {last} after it: {one_day:.1f} s")
    share = one_day / full
    print(f"dbt_one_day_share={share:.2f}")
    return share
