"""Listing retirement (policy 4.1: advertisement data is kept until the advert is deleted or
its posting period expires): a retired listing keeps only its id and category.

Every listing is a posted advertisement, so the rule applies to every category.
"""

from __future__ import annotations

from datetime import date, datetime

from privacy.days import almaty_day, almaty_day_sql, date_sql


def listing_retired(deleted_at: datetime | None, expires_at: datetime | None, as_of: date) -> bool:
    """Deleted, or its posting period ended before `as_of`'s Almaty day."""
    return deleted_at is not None or (expires_at is not None and almaty_day(expires_at) < as_of)


def listing_retired_sql(deleted_at: str, expires_at: str, as_of: date | str) -> str:
    """`listing_retired` in DuckDB; `as_of` a date or SQL giving one."""
    day = almaty_day_sql(expires_at)
    return f"({deleted_at} is not null or coalesce({day} < {date_sql(as_of)}, false))"
