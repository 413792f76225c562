"""Generating a sample landing zone with progress lines, for `almaty generate` and the demo."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class SampleSpec:
    """The size of a sample landing zone; the defaults are the demo's."""

    start: date = date(2025, 12, 15)  # a ski season's start: winter listings shine
    days: int = 30
    users: int = 2_000
    events_per_day: int = 10_000
    seed: int = 42


def generate_sample(out: Path, spec: SampleSpec) -> None:
    """Write the zone, printing one line per delivery day and a summary."""
    from landing.generate import generate_landing_zone

    started = time.perf_counter()
    print(f"generating {spec.days} days of sample landing data into {out} ...", flush=True)

    def on_day(day: date, events: int) -> None:
        print(f"  {day}: {events:,} events", flush=True)

    summary = generate_landing_zone(
        out,
        start=spec.start,
        days=spec.days,
        users=spec.users,
        events_per_day=spec.events_per_day,
        seed=spec.seed,
        on_day=on_day,
    )
    seconds = time.perf_counter() - started
    print(
        f"wrote {summary.events:,} events and {summary.searches:,} searches in {summary.files:,} "
        f"files ({summary.bytes / 1e6:,.1f} MB) in {seconds:,.1f} s",
        flush=True,
    )
