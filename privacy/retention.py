"""Retention (policy 4.1): user data is kept while the account is used and at most
`years` years after it is terminated; an anonymous record at most `years` years.

The cutoff is the first Almaty day still kept; records and accounts are judged by the
Almaty day of their moment, so the rule is the same in ingestion, the purge and the checks.
"""

from __future__ import annotations

from datetime import date, datetime

from privacy.days import almaty_day, before_almaty_day_sql, date_sql


def retention_cutoff(as_of: date, years: int) -> date:
    """The first day still kept: `years` before `as_of` (29 February falls back to the 28th)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return as_of.replace(year=as_of.year - years, day=28)


def anonymous_record_expired(logged_in: bool, moment: datetime, cutoff: date) -> bool:
    """A record made without an account expires with its day."""
    return not logged_in and almaty_day(moment) < cutoff


def anonymous_record_expired_sql(user: str, moment: str, cutoff: date | str) -> str:
    """`anonymous_record_expired` of a record's user pseudonym and moment, in DuckDB."""
    return f"({user} is null and {before_almaty_day_sql(moment, cutoff)})"


def anonymous_day_expired_sql(user: str, day: str, cutoff: date | str) -> str:
    """The same rule for what is kept per Almaty day (a session), given SQL of that day."""
    return f"({user} is null and {day} < {date_sql(cutoff)})"


def account_expired(status: str, changed_at: datetime, cutoff: date) -> bool:
    """An account whose latest change terminated it before the cutoff's day."""
    return status == "terminated" and almaty_day(changed_at) < cutoff


def account_expired_sql(status: str, changed_at: str, cutoff: date | str) -> str:
    """`account_expired` of an account's latest status and its moment, in DuckDB."""
    return f"({status} = 'terminated' and {before_almaty_day_sql(changed_at, cutoff)})"
