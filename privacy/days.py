"""The Almaty day a moment falls on: the day every daily figure, token and rule counts in.

Almaty was UTC+06:00 until 2024-03-01 and is UTC+05:00 since; the IANA zone knows both, so
a day is always the local calendar day of the moment, whatever offset it was written with.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

ALMATY: Final = "Asia/Almaty"
_ZONE: Final = ZoneInfo(ALMATY)


def almaty_day(moment: datetime) -> date:
    """The local calendar day in Almaty of an aware `moment`."""
    if moment.tzinfo is None:
        raise ValueError("almaty_day needs an aware datetime: a naive one has no instant")
    return moment.astimezone(_ZONE).date()


def almaty_day_sql(column: str) -> str:
    """`almaty_day` in DuckDB, of TIMESTAMPTZ expression `column`."""
    return f"cast(timezone('{ALMATY}', {column}) as date)"


def date_sql(day: date | str) -> str:
    """A date literal of `day`, or `day` itself when it is already SQL (a dbt macro's
    argument, such as `{{ as_of_date() }}`)."""
    return f"'{day.isoformat()}'::date" if isinstance(day, date) else day


def almaty_midnight(day: date) -> datetime:
    """The instant an Almaty day begins."""
    return datetime.combine(day, time(), _ZONE)


def almaty_midnight_sql(day: str) -> str:
    """`almaty_midnight` in DuckDB, of DATE expression `day`."""
    return f"timezone('{ALMATY}', cast({day} as timestamp))"


def before_almaty_day_sql(moment: str, day: date | str) -> str:
    """SQL: TIMESTAMPTZ `moment` falls on an Almaty day before `day`. For a date, as a
    comparison with the instant that day begins: the same verdict as `almaty_day_sql`'s,
    without converting a million moments to local time."""
    if isinstance(day, date):
        return f"({moment} < '{almaty_midnight(day).isoformat()}'::timestamptz)"
    return f"({almaty_day_sql(moment)} < {day})"
