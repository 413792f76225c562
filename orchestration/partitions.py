"""Delivery days: the website writes one folder per Asia/Almaty day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dagster import DailyPartitionsDefinition

TIMEZONE = "Asia/Almaty"
FIRST_DAY = "2020-01-01"

delivery_days = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=TIMEZONE)


def window_days(start: datetime, end: datetime) -> list[date]:
    """The days of a partition time window (end exclusive), in order."""
    first, last = start.date(), end.date()
    return [first + timedelta(days=n) for n in range((last - first).days)]
