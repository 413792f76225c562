"""Delivery: how lines reach the zone's files, with the quirks of a real producer.

Lines wait until their delivery day (the Almaty day they reached the site). On that day
some are malformed, some delivered twice, and the rest are written: events and searches
into `date=` folders, one file per app stream and chunk, the append-only feeds into one
file per day. Files alternate between gzip (mtime 0, so output is byte-identical) and
plain JSONL. Compression runs on a thread pool; zlib releases the GIL.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from landing.clock import MS_PER_HOUR, MS_PER_MINUTE, day_start_ms, local_day_number
from landing.contract import (
    APPS,
    BROKEN_JSON,
    DAY_FOLDER_PREFIX,
    DAY_PARTITIONED_FEEDS,
    FEED_PATHS,
    FEEDS,
    UNKNOWN_EVENT_TYPE,
)
from landing.edges import EDGE_CASES, count_edges, flag
from landing.malform import corrupted, truncated
from landing.profile import Profile

_MALFORMED = sum(flag(name) for name in EDGE_CASES if name.startswith("malformed_"))


@dataclass
class DeliveryStats:
    files: int = 0
    bytes: int = 0
    lines: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDS, 0))
    edges: np.ndarray = field(default_factory=lambda: np.zeros(len(EDGE_CASES), np.int64))


def _write_file(path: Path, lines: pl.Series, gzip_level: int | None) -> int:
    """One JSONL file; polars writes it without quoting, gzip with mtime 0."""
    compression = (
        {} if gzip_level is None else {"compression": "gzip", "compression_level": gzip_level}
    )
    lines.to_frame().write_csv(path, include_header=False, quote_style="never", **compression)
    return path.stat().st_size


class ZoneWriter:
    """Writes the delivery days of a zone under `root`, one day at a time, in order."""

    def __init__(
        self,
        root: Path,
        start: date,
        days: int,
        profile: Profile,
        rng: np.random.Generator,
        pool: ThreadPoolExecutor,
    ) -> None:
        self._root, self._start, self._days = root, start, days
        self._profile, self._rng, self._pool = profile, rng, pool
        self._pending: dict[str, dict[int, list[pl.DataFrame]]] = {
            feed: defaultdict(list) for feed in FEEDS
        }
        self.stats = DeliveryStats()

    def schedule(self, feed: str, frame: pl.DataFrame) -> None:
        """Hold lines (line, arrival, edges, and stream for events and searches) for their day.

        History from before the first day comes with the first delivery; lines arriving
        after the last day are never delivered.
        """
        day = local_day_number(frame["arrival"].to_numpy(), self._start).clip(0, None)
        frame = frame.with_columns(day=pl.Series(day))
        for (index,), part in frame.partition_by("day", as_dict=True, maintain_order=True).items():
            if index < self._days:
                self._pending[feed][int(index)].append(part.drop("day"))

    def write_day(self, index: int) -> int:
        """Write delivery day `index` of every feed; returns how many event lines it got."""
        day = self._start + timedelta(days=index)
        jobs: list[Future[int]] = []
        written = 0
        for position, feed in enumerate(FEEDS):
            parts = self._pending[feed].pop(index, [])
            if not parts:
                continue
            frame = pl.concat(parts, how="vertical")
            if feed in DAY_PARTITIONED_FEEDS:
                frame = self._duplicate(feed, self._malform(feed, frame), index)
                jobs += self._write_partitioned(feed, frame, day, index)
            else:
                frame = self._append_only_quirks(frame)
                gzip = (index + position) % 2 == 0
                name = f"{feed}-{day.isoformat()}.jsonl" + (".gz" if gzip else "")
                folder = self._root / FEED_PATHS[feed]
                order = np.argsort(frame["arrival"].to_numpy(), kind="stable")
                jobs += self._write(frame["line"], [(folder / name, order, gzip)])
            self.stats.lines[feed] += len(frame)
            self.stats.edges += count_edges(frame["edges"].to_numpy())
            if feed == "events":
                written = len(frame)
        for job in jobs:
            self.stats.bytes += job.result()
        self.stats.files += len(jobs)
        return written

    def _choose(self, count: int, share: float, among: np.ndarray) -> np.ndarray:
        chosen = self._rng.binomial(count, share)
        return self._rng.permutation(among)[:chosen]

    def _malform(self, feed: str, frame: pl.DataFrame) -> pl.DataFrame:
        """Replace lines by broken ones; truncated partial writes go before their full retry."""
        free = self._rng.permutation(len(frame))
        rows, texts, bits = [], [], []
        junk = np.zeros(0, dtype=np.int64)
        for reason, share in self._profile.malformed_share.items():
            if reason == UNKNOWN_EVENT_TYPE and feed != "events":
                continue
            chosen, free = np.split(free, [self._rng.binomial(len(frame), share)])
            if reason == BROKEN_JSON:
                junk = np.sort(chosen)
                continue
            originals = frame["line"].gather(chosen).to_list()
            rows.append(chosen)
            texts += [corrupted(feed, reason, line, self._rng) for line in originals]
            bits.append(np.full(len(chosen), flag(f"malformed_{reason}")))
        if rows:
            changed = np.concatenate(rows)
            frame = frame.with_columns(
                frame["line"].scatter(changed, pl.Series(texts, dtype=pl.String)),
                frame["edges"].scatter(changed, pl.Series(np.concatenate(bits))),
            )
        partial = frame[junk].with_columns(
            line=pl.Series(
                [truncated(line, self._rng) for line in frame["line"].gather(junk).to_list()],
                dtype=pl.String,
            ),
            edges=pl.lit(flag(f"malformed_{BROKEN_JSON}"), dtype=pl.Int64),
        )
        return pl.concat([partial, frame])  # stable sorting keeps the retry after the junk

    def _duplicate(self, feed: str, frame: pl.DataFrame, index: int) -> pl.DataFrame:
        """Deliver some lines twice: in the same file, another file, or the next day's folder."""
        clean = np.flatnonzero((frame["edges"].to_numpy() & _MALFORMED) == 0)
        rows = np.sort(self._choose(len(frame), self._profile.duplicate_share, clean))
        places = self._profile.duplicate_places
        weights = np.array(list(places.values()))
        place = self._rng.choice(list(places), size=len(rows), p=weights / weights.sum())
        if index == self._days - 1:
            place[place == "next_day"] = "same_file"
        copies = frame[rows].with_columns(pl.col("edges") | flag("duplicate"))
        delay = self._rng.integers(1, 30 * MS_PER_MINUTE, len(rows))
        copies = copies.with_columns(
            arrival=pl.col("arrival") + pl.Series(delay),
            stream=pl.when(pl.Series(place == "other_file"))
            .then((pl.col("stream") + 1) % len(APPS))
            .otherwise(pl.col("stream"))
            .cast(pl.Int8),
        )
        later = pl.Series(place == "next_day")
        if later.any():
            tomorrow = day_start_ms(self._start + timedelta(days=index + 1))
            moved = copies.filter(later).with_columns(
                arrival=tomorrow + pl.Series(self._rng.integers(0, 12 * MS_PER_HOUR, later.sum()))
            )
            self._pending[feed][index + 1].append(moved)
        return pl.concat([frame, copies.filter(~later)])

    def _append_only_quirks(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Privacy and catalog lines: some sent twice, some partial writes retried in full."""
        profile = self._profile
        every = np.arange(len(frame))
        again = np.sort(self._choose(len(frame), profile.append_duplicate_share, every))
        broken = np.sort(self._choose(len(frame), profile.append_junk_share, every))
        copies = frame[again].with_columns(
            pl.col("edges") | flag("duplicate"),
            arrival=pl.col("arrival")
            + pl.Series(self._rng.integers(1, 10 * MS_PER_MINUTE, len(again))),
        )
        partial = frame[broken].with_columns(
            line=pl.Series(
                [truncated(line, self._rng) for line in frame["line"].gather(broken)],
                dtype=pl.String,
            ),
            edges=pl.lit(flag(f"malformed_{BROKEN_JSON}"), dtype=pl.Int64),
        )
        return pl.concat([partial, frame, copies])

    def _write_partitioned(
        self, feed: str, frame: pl.DataFrame, day: date, index: int
    ) -> list[Future[int]]:
        stream = frame["stream"].to_numpy()
        order = np.lexsort((frame["arrival"].to_numpy(), stream))  # stable
        stream = stream[order]
        folder = self._root / FEED_PATHS[feed] / f"{DAY_FOLDER_PREFIX}{day.isoformat()}"
        files = []
        first = 0
        chunk_size = self._profile.max_lines_per_file
        for code, app in enumerate(APPS):
            lines = int((stream == code).sum())
            for chunk in range(-(-lines // chunk_size)):
                size = min(chunk_size, lines - chunk * chunk_size)
                gzip = (index + code + chunk) % 3 != 2
                name = f"{feed}-{app}-{chunk:03d}.jsonl" + (".gz" if gzip else "")
                files.append((folder / name, order[first : first + size], gzip))
                first += size
        return self._write(frame["line"], files)

    def _write(
        self, lines: pl.Series, files: list[tuple[Path, np.ndarray, bool]]
    ) -> list[Future[int]]:
        """Write `lines[rows]` to each (path, rows, gzip) on the pool."""
        lines = lines.rechunk()  # gathering from one chunk is an order of magnitude faster
        jobs = []
        for path, rows, gzip in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            level = self._profile.gzip_level if gzip else None
            jobs.append(self._pool.submit(_write_file, path, lines.gather(rows), level))
        return jobs
