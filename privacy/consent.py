"""Consent in force: the latest change per subject and scope, as SQL over small tables.

The consent feed is small (thousands of changes) and records are many, so the rule is
expressed as intervals of validity that DuckDB joins to records by time. `all` stands for
every scope. When two changes of one subject and scope share a timestamp, the refusal wins:
a privacy rule must not depend on the order lines happen to arrive in.
"""

from __future__ import annotations

# Section 2.2's purposes and section 6's opt-out, as the contract's scopes.
SCOPES: tuple[str, ...] = ("analytics", "personalization", "marketing", "geolocation")
# Nothing recorded: every scope is granted except geolocation, which needs an explicit grant.
GRANTED_BY_DEFAULT: dict[str, bool] = {
    "analytics": True,
    "personalization": True,
    "marketing": True,
    "geolocation": False,
}


def consent_intervals_sql(changes: str) -> str:
    """Intervals `(subject, scope, valid_from, valid_to, granted)` from `changes`.

    `changes` has columns `subject, ts, scope, granted`; `valid_to` is NULL for the change in
    force now. A subject with no change for a scope has no interval: the default applies.
    """
    scopes = ", ".join(f"('{scope}')" for scope in SCOPES)
    return f"""
select subject, scope, ts as valid_from,
  lead(ts) over (partition by subject, scope order by ts, granted desc) as valid_to,
  granted
from (
  select c.subject, s.scope, c.ts, c.granted
  from {changes} as c
  join (values {scopes}) as s(scope) on c.scope = s.scope or c.scope = 'all'
)"""


def consent_at_time_sql(subjects: str, intervals: str) -> str:
    """Per `key`, what the consent of its subjects says at its moment `ts`.

    `subjects` has columns `key, ts, subject`: one row for each subject a record belongs to
    (its user, its anonymous id, and every user that id appears with). A scope counts as
    refused when any of them had refused it at `ts`. `granted_geolocation` says one of them had
    granted geolocation explicitly; it counts only where `refused_geolocation` is false. Every
    key gets a row: with nothing recorded, nothing is refused and geolocation is not granted.
    """
    refused = ",\n  ".join(
        f"coalesce(bool_or(i.scope = '{scope}' and not i.granted), false) as refused_{scope}"
        for scope in SCOPES
    )
    return f"""
select s.key,
  {refused},
  coalesce(bool_or(i.scope = 'geolocation' and i.granted), false) as granted_geolocation
from {subjects} as s
left join {intervals} as i
  on i.subject = s.subject
  and i.valid_from <= s.ts
  and (i.valid_to is null or s.ts < i.valid_to)
group by s.key"""


def refused_now_sql(intervals: str, scope: str) -> str:
    """Subjects whose change in force now refuses `scope`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown consent scope {scope!r}")
    return f"""
select subject from {intervals}
where scope = '{scope}' and valid_to is null and not granted"""


def geolocation_allowed(granted: bool, refused: bool) -> bool:
    """A location is kept only under an explicit grant that no refusal of the record's
    subjects overrides (the contract's default is no geolocation)."""
    return granted and not refused


def geolocation_allowed_sql(granted: str, refused: str) -> str:
    """`geolocation_allowed` in DuckDB, of `consent_at_time_sql`'s two verdicts."""
    return f"(coalesce({granted}, false) and not coalesce({refused}, false))"


def use_allowed(refused_then: bool, refused_now: bool, gpc: bool) -> bool:
    """Whether a record may serve personalization (or marketing): none of its subjects
    refused it when it was made or refuses it now, and its browser sent no Global Privacy
    Control signal."""
    return not (refused_then or refused_now or gpc)


def use_allowed_sql(refused_then: str, refused_now: str, gpc: str) -> str:
    """`use_allowed` in DuckDB; a NULL verdict is no refusal, a NULL gpc no signal."""
    refusals = " or ".join(f"coalesce({v}, false)" for v in (refused_then, refused_now, gpc))
    return f"(not ({refusals}))"
