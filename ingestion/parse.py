"""Raw numbered lines -> typed rows, each with the reason it must be quarantined, if any.

Everything happens in one DuckDB statement over an Arrow table, so a million lines are
parsed and checked on both cores without a Python loop.
"""

from __future__ import annotations

import json
import re

from ingestion.feeds import Feed
from landing.contract import ALLOWED_OFFSETS, BAD_TIMESTAMP, BROKEN_JSON, MISSING_FIELD

# RFC 3339 with one of the contract's offsets; DuckDB's cast then rejects impossible dates.
_OFFSETS = "|".join(sorted(re.escape(offset) for offset in ALLOWED_OFFSETS))
RFC3339 = rf"\d{{4}}-\d{{2}}-\d{{2}}[Tt]\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?({_OFFSETS}|z)"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quarantine_reason_sql(feed: Feed) -> str:
    """A CASE expression over the typed columns naming the first problem found.

    A timestamp field is bad when its text was set but did not parse (`<name>__text`).
    """
    conditions: list[tuple[str, str]] = [("not is_object", BROKEN_JSON)]
    missing = [f"{_quote(f.name)} is null" for f in feed.fields if f.required and not f.timestamp]
    missing += [
        f"{_quote(f.name + '__text')} is null" for f in feed.fields if f.required and f.timestamp
    ]
    if feed.one_of:
        missing.append("(" + " and ".join(f"{_quote(n)} is null" for n in feed.one_of) + ")")
    if missing:
        conditions.append((" or ".join(missing), MISSING_FIELD))
    timestamps = [
        f"({_quote(f.name)} is null and {_quote(f.name + '__text')} is not null)"
        for f in feed.fields
        if f.timestamp
    ]
    if timestamps:
        conditions.append((" or ".join(timestamps), BAD_TIMESTAMP))
    for field in feed.fields:
        if field.allowed:
            values = ", ".join(_literal(v) for v in field.allowed)
            conditions.append((f"{_quote(field.name)} not in ({values})", field.not_allowed_reason))
    whens = "\n".join(f"    when {cond} then {_literal(reason)}" for cond, reason in conditions)
    return f"case\n{whens}\n  end"


def _typed_columns(feed: Feed) -> str:
    columns = []
    for field in feed.fields:
        value = _quote(field.name)
        if field.timestamp:
            columns.append(f"{value} as {_quote(field.name + '__text')}")
            columns.append(
                f"case when regexp_full_match({value}, {_literal(RFC3339)}) "
                f"then try_cast({value} as timestamptz) end as {_quote(field.name)}"
            )
        else:
            columns.append(value)
    return ",\n    ".join(columns)


def parse_sql(feed: Feed, lines: str) -> str:
    """SELECT over relation `lines` (source, line_number, line VARCHAR, row_key) giving typed rows.

    Blank lines are not records and are skipped (the cheap test first: nearly every line
    starts with its brace); every other line gives one row, whose
    `reason` is NULL when the line can be stored (a NULL `line`, not UTF-8, is broken JSON).
    Timestamp fields come out as TIMESTAMPTZ. `unnest` spreads the transformed struct into
    columns in one evaluation (selecting its fields one by one would transform the line once
    per field, and materializing the struct first costs as much as the transform).
    """
    structure = json.dumps({f.name: f.sql_type for f in feed.fields})
    names = ", ".join(_quote(f.name) for f in feed.fields)
    return f"""
with records as (
  select source, line_number, row_key, line from {lines}
  where starts_with(line, '{{') or line is null or trim(line, e' \\t\\r\\n') <> ''
), checked as (
  select source, line_number, row_key, line, json_valid(line) as valid from records
), transformed as (
  select source, line_number, row_key,
    coalesce(valid and (starts_with(line, '{{') or starts_with(ltrim(line), '{{')), false)
      as is_object,
    unnest(case when valid then json_transform(line, {_literal(structure)}) end)
  from checked
), typed as (
  select source, line_number, row_key, is_object,
    {_typed_columns(feed)}
  from transformed
)
select source, line_number, row_key, {quarantine_reason_sql(feed)} as reason, {names}
from typed"""
