"""Generate a sample landing zone: deterministic, realistic, fast, one day at a time.

The zone is written into a temporary sibling directory and renamed into place only when
complete, so an interrupted run never leaves a half-written zone behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from almaty.errors import AlmatyError
from landing.catalog import catalog_lines
from landing.delivery import ZoneWriter
from landing.edges import EDGE_CASES
from landing.privacy_feeds import account_lines, consent_lines, erasure_lines
from landing.profile import PROFILE
from landing.records import Encodings, day_lines
from landing.sessions import simulate_day
from landing.world import build_world

# Sane ranges of the arguments: (minimum, maximum). A day is built in memory (about 1.6 GB
# per million events at the peak) and every subject has a few hundred bytes of strings.
LIMITS: dict[str, tuple[int, int]] = {
    "days": (1, 3_660),
    "users": (10, 1_000_000),
    "events_per_day": (100, 2_000_000),
    "seed": (0, 2**63 - 1),
}
FIRST_START, LAST_START = date(2000, 1, 1), date(2099, 12, 31)
_WRITER_THREADS = 2


@dataclass(frozen=True)
class GenerationSummary:
    """What a run wrote: line counts per feed and edge case, files and bytes on disk."""

    days: int
    events: int
    searches: int
    files: int
    bytes: int
    edge_cases: dict[str, int]


def _check_arguments(start: date, values: dict[str, int]) -> None:
    for name, value in values.items():
        low, high = LIMITS[name]
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool) or not isinstance(value, int):
            raise AlmatyError(f"{flag} must be a whole number, got {value!r}", exit_code=2)
        if value < low:
            raise AlmatyError(f"{flag} must be at least {low}, got {value}", exit_code=2)
        if value > high:
            raise AlmatyError(f"{flag} must be at most {high}, got {value}", exit_code=2)
    if isinstance(start, datetime) or not isinstance(start, date):
        raise AlmatyError(f"--start must be a date, got {start!r}", exit_code=2)
    if not FIRST_START <= start <= LAST_START:
        raise AlmatyError(
            f"--start must be between {FIRST_START} and {LAST_START}, got {start}", exit_code=2
        )


def _refuse_non_empty(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AlmatyError(
            f"{out}: refusing to write a landing zone into a non-empty directory "
            "(or over a file); choose a new or empty directory",
            exit_code=2,
        )


def _generate(
    root: Path,
    start: date,
    days: int,
    users: int,
    events_per_day: int,
    seed: int,
    on_day: Callable[[date, int], None] | None,
) -> GenerationSummary:
    rng = np.random.Generator(np.random.PCG64(seed))
    world = build_world(rng, PROFILE, start, days, users)
    encodings = Encodings.build(world)
    with ThreadPoolExecutor(_WRITER_THREADS) as pool:
        writer = ZoneWriter(root, start, days, PROFILE, rng, pool)
        writer.schedule("listings", catalog_lines(world.catalog, world.population))
        writer.schedule("accounts", account_lines(world))
        writer.schedule("consent", consent_lines(rng, world))
        writer.schedule("erasure_requests", erasure_lines(world))
        for index in range(days):
            day = start + timedelta(days=index)
            events, searches = day_lines(
                rng, encodings, world, simulate_day(rng, world, day, events_per_day)
            )
            writer.schedule("events", events)
            writer.schedule("searches", searches)
            written = writer.write_day(index)
            if on_day is not None:
                on_day(day, written)
    stats = writer.stats
    return GenerationSummary(
        days=days,
        events=stats.lines["events"],
        searches=stats.lines["searches"],
        files=stats.files,
        bytes=stats.bytes,
        edge_cases=dict(zip(EDGE_CASES, stats.edges.tolist(), strict=True)),
    )


def generate_landing_zone(
    out: Path,
    *,
    start: date,
    days: int,
    users: int,
    events_per_day: int,
    seed: int,
    on_day: Callable[[date, int], None] | None = None,
) -> GenerationSummary:
    """Write a sample landing zone to `out` (absent or empty); the same arguments, the same bytes.

    `on_day(day, events_written)` is called after each delivery day is on disk.
    """
    _check_arguments(
        start, {"days": days, "users": users, "events_per_day": events_per_day, "seed": seed}
    )
    out = Path(out)
    _refuse_non_empty(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        summary = _generate(partial, start, days, users, events_per_day, seed, on_day)
        partial.chmod(0o755)
        _refuse_non_empty(out)  # someone may have written there meanwhile
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return summary
