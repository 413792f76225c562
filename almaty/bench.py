"""Benchmarks behind `make bench`: figures with the machine they were taken on."""

from __future__ import annotations

import os
import platform
import resource
import tempfile
import time
from datetime import date
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
