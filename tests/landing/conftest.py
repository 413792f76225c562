"""A small generated landing zone, built once per test session and parsed once."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from landing.contract import DAY_FOLDER_PREFIX, check_record, iter_zone_files, open_lines
from landing.generate import GenerationSummary, generate_landing_zone

# Ten days across Almaty's switch from UTC+06:00 to UTC+05:00 on 2024-03-01.
ZONE_ARGS: dict[str, Any] = {
    "start": date(2024, 2, 25),
    "days": 10,
    "users": 300,
    "events_per_day": 2000,
    "seed": 7,
}


@dataclass(frozen=True)
class Line:
    feed: str
    path: Path
    day: date | None  # the delivery day of a date= folder
    raw: bytes
    reason: str | None  # what the contract validator says
    record: dict[str, Any] | None  # parsed, when it conforms


@dataclass(frozen=True)
class Zone:
    root: Path
    summary: GenerationSummary
    progress: list[tuple[date, int]]
    lines: list[Line]

    def records(self, feed: str) -> list[dict[str, Any]]:
        return [line.record for line in self.lines if line.feed == feed and line.record]

    def of(self, feed: str) -> list[Line]:
        return [line for line in self.lines if line.feed == feed]


@pytest.fixture(scope="session")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    root = tmp_path_factory.mktemp("landing") / "zone"
    progress: list[tuple[date, int]] = []
    summary = generate_landing_zone(
        root, **ZONE_ARGS, on_day=lambda day, events: progress.append((day, events))
    )
    lines = []
    for feed, path in iter_zone_files(root):
        folder = path.parent.name
        day = (
            date.fromisoformat(folder.removeprefix(DAY_FOLDER_PREFIX))
            if folder.startswith(DAY_FOLDER_PREFIX)
            else None
        )
        for raw in open_lines(path):
            reason = check_record(feed, raw, day)
            record = orjson.loads(raw) if reason is None else None
            lines.append(Line(feed, path, day, raw, reason, record))
    return Zone(root, summary, progress, lines)


@pytest.fixture(scope="session")
def near() -> Callable[[float, float, int], None]:
    """Assert an observed share is near the expected one, given how many things were counted.

    Allows four binomial standard deviations plus 25 % of the expected share, so the checks
    hold for any seed yet fail when a rate is off by a factor.
    """

    def check(observed: float, expected: float, count: int) -> None:
        spread = 4 * math.sqrt(max(expected * (1 - expected), 1e-9) / max(count, 1))
        assert abs(observed - expected) <= spread + 0.25 * expected, (
            f"observed share {observed:.5f}, expected {expected:.5f} over {count}"
        )

    return check
