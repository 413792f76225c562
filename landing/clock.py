"""Asia/Almaty time as the zone writes it: UTC+06:00 until 2024-03-01, UTC+05:00 since.

Kazakhstan moved Almaty's clocks back at local midnight of 2024-03-01, so 2024-02-29 lasted
25 hours. All generator times are int64 milliseconds since the Unix epoch (UTC); local dates
and offsets derive from them here and nowhere else.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from landing.contract import UTC_PLUS_5_SINCE

MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
_EPOCH = date(1970, 1, 1)


def _midnight_ms(day: date) -> int:
    return (day - _EPOCH).days * MS_PER_DAY


def day_start_ms(day: date) -> int:
    """The instant local midnight began `day` in Almaty."""
    offset_hours = 6 if day < UTC_PLUS_5_SINCE else 5
    return _midnight_ms(day) - offset_hours * MS_PER_HOUR


# First instant of UTC+05:00: the old midnight at +06:00 became 23:00 of 2024-02-29 again.
SWITCH_MS = _midnight_ms(UTC_PLUS_5_SINCE) - 6 * MS_PER_HOUR


def offset_ms(utc_ms: np.ndarray) -> np.ndarray:
    """Almaty's UTC offset at each instant."""
    return np.where(utc_ms < SWITCH_MS, 6 * MS_PER_HOUR, 5 * MS_PER_HOUR)


def local_day_number(utc_ms: np.ndarray, start: date) -> np.ndarray:
    """The Almaty date of each instant, as days after `start`."""
    return (utc_ms + offset_ms(utc_ms) - _midnight_ms(start)) // MS_PER_DAY
