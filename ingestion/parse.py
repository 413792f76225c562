"""Raw numbered lines -> typed rows, each with the reason it must be quarantined, if any.

Everything happens in one DuckDB statement over an Arrow table, so a million lines are
parsed and checked on both cores without a Python loop. Each value is held against its
field's privacy class here, once: outside it, a required value quarantines the line and any
other becomes its class's fallback, with a bit set in `corrections` so the day can count
what was corrected, per column (`correction_columns`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime

from ingestion.feeds import Feed, Field
from landing.contract import (
    ALLOWED_OFFSETS,
    BAD_TIMESTAMP,
    BROKEN_JSON,
    IMPLAUSIBLE_TIMESTAMP,
    MISSING_FIELD,
    REASONS,
    WRONG_TYPE,
)
from privacy import classes

# RFC 3339 with one of the contract's offsets; DuckDB's cast then rejects impossible dates.
_OFFSETS = "|".join(sorted(re.escape(offset) for offset in ALLOWED_OFFSETS))
RFC3339 = rf"\d{{4}}-\d{{2}}-\d{{2}}[Tt]\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?({_OFFSETS}|z)"

Window = tuple[datetime, datetime]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_literal = classes.sql_literal


def _json_path(field: Field) -> str:
    """SQL literal of the JSON path of a top-level field."""
    return _literal(f'$."{field.name}"')


def _nested(field: Field) -> str:
    """SQL true where the line holds an object or array in string field `field`: its
    transform is then JSON text, which must never be stored as if it were the value.
    Only text that starts like JSON is looked up in the line again, so this is cheap."""
    value = _quote(field.name)
    return (
        f"(case when starts_with({value}, '{{') or starts_with({value}, '[') "
        f"then json_type(line, {_json_path(field)}) in ('OBJECT', 'ARRAY') else false end)"
    )


def _in_window(column: str, window: Window | None) -> str:
    """SQL true where timestamp `column` is plausible: within `window` (a usage feed's
    lateness and clock-skew window of its delivery day), else within the era."""
    low, high = (
        (classes.EARLIEST, classes.LATEST)
        if window is None
        else (window[0].isoformat(), window[1].isoformat())
    )
    return f"({column} >= '{low}'::timestamptz and {column} < '{high}'::timestamptz)"


class _Columns:
    """The output columns of one feed and the conditions that quarantine its lines."""

    def __init__(self, feed: Feed, window: Window | None) -> None:
        self.reasons: dict[str, list[str]] = {reason: [] for reason in REASONS}
        self.outputs: list[str] = []
        # (column, the derived flag true where it was corrected)
        self.corrected: list[tuple[str, str]] = []
        # expressions computed once per row (a flag or a kept list) that outputs then share
        self.derived: list[str] = []
        for field in feed.fields:
            self._add(field, window if field.name == "ts" else None)
        if feed.one_of:
            self.reasons[MISSING_FIELD].append(
                "(" + " and ".join(f"{_quote(n)} is null" for n in feed.one_of) + ")"
            )

    def _add(self, field: Field, window: Window | None) -> None:
        value = _quote(field.name)
        if field.required:
            raw = _quote(field.name + "__text") if field.timestamp else value
            # NULL after the transform: absent or JSON null is missing; anything else is a
            # value of the wrong type (looked up in the line for those few rows only)
            delivered = (
                f"coalesce(case when {raw} is null then json_type(line, {_json_path(field)}) end,"
                " 'NULL')"
            )
            self.reasons[MISSING_FIELD].append(f"({raw} is null and {delivered} = 'NULL')")
            self.reasons[WRONG_TYPE].append(f"({raw} is null and {delivered} <> 'NULL')")
        if field.allowed:
            values = ", ".join(_literal(v) for v in field.allowed)
            self.reasons[field.not_allowed_reason].append(f"{value} not in ({values})")
        if field.timestamp:
            self._timestamp(field, window)
        elif field.parts:
            self._parts(field)
        elif field.sql_type.endswith("[]"):
            self._list(field)
        else:
            self._scalar(field)

    def _timestamp(self, field: Field, window: Window | None) -> None:
        value, text = _quote(field.name), _quote(field.name + "__text")
        self.reasons[BAD_TIMESTAMP].append(f"({value} is null and {text} is not null)")
        plausible = _in_window(value, window)
        if field.required:
            self.reasons[IMPLAUSIBLE_TIMESTAMP].append(f"not coalesce({plausible}, true)")
            self.outputs.append(value)
        else:
            self._correct(
                field.name,
                f"not coalesce({plausible}, true)",
                lambda flag: f"case when {flag} then null else {value} end",
            )

    def _parts(self, field: Field) -> None:
        packed = []
        for part in field.parts:
            sub = f"{_quote(field.name)}.{_quote(part.name)}"
            flag = self._correct(part.column, f"not {part.cls.allows_sql(sub)}")
            packed.append(
                f"{_quote(part.name)} := case when {flag} then {part.cls.fallback} else {sub} end"
            )
        self.outputs.append(f"struct_pack({', '.join(packed)}) as {_quote(field.name)}")

    def _list(self, field: Field) -> None:
        value = _quote(field.name)
        assert field.cls is not None, f"{field.name}: a list needs its elements' class"
        kept = self._derive(
            f"list_filter({value}, lambda x: x is not null and {field.cls.allows_sql('x')})"
        )
        self.corrected.append((field.name, f"len({kept}) <> len({value})"))
        self.outputs.append(f"{kept} as {value}")

    def _scalar(self, field: Field) -> None:
        value = _quote(field.name)
        outside = [_nested(field)] if field.text else []
        outside += [f"not {field.cls.allows_sql(value)}"] if field.cls is not None else []
        if field.required:
            self.reasons[WRONG_TYPE] += outside
        if field.required or not outside:
            self.outputs.append(value)
            return
        fallback = field.cls.fallback if field.cls else "null"
        self._correct(
            field.name,
            " or ".join(outside),
            lambda flag: f"case when {flag} then {fallback} else {value} end",
        )

    def _derive(self, sql: str) -> str:
        """The name under which `sql` is computed once per row, for the outputs to share."""
        name = _quote(f"__derived_{len(self.derived)}")
        self.derived.append(f"{sql} as {name}")
        return name

    def _correct(
        self, column: str, condition: str, output: Callable[[str], str] | None = None
    ) -> str:
        """Count `condition` under `column`; `output(flag)` (SQL, given the condition's
        derived flag) is then the field's value, unless the caller builds it. The flag."""
        flag = self._derive(condition)
        self.corrected.append((column, flag))
        if output is not None:
            self.outputs.append(f"{output(flag)} as {_quote(column)}")
        return flag

    def reason_sql(self) -> str:
        """A CASE naming the first problem found, in the contract's order of reasons."""
        whens = [("not is_object", BROKEN_JSON)]
        whens += [
            (" or ".join(conditions), reason)
            for reason, conditions in self.reasons.items()
            if conditions
        ]
        lines = "\n".join(f"    when {cond} then {_literal(reason)}" for cond, reason in whens)
        return f"case\n{lines}\n  end"

    def corrections_sql(self) -> str:
        """One bit per corrected column, in `correction_columns` order."""
        if not self.corrected:
            return "0::bigint"
        bits = [
            f"(case when {condition} then {1 << bit} else 0 end)"
            for bit, (_, condition) in enumerate(self.corrected)
        ]
        return "(" + " | ".join(bits) + ")::bigint"


def correction_columns(feed: Feed) -> list[str]:
    """The columns whose corrections `corrections` counts, bit 0 first."""
    return [column for column, _ in _Columns(feed, None).corrected]


def correction_counts_sql(feed: Feed, corrections: str = "corrections") -> str:
    """Aggregates, one per `correction_columns` entry, counting rows with it corrected."""
    return ", ".join(
        f"count(*) filter (where ({corrections} >> {bit}) & 1 = 1)"
        for bit in range(len(correction_columns(feed)))
    )


def correction_counts(feed: Feed, counts: tuple[int, ...]) -> dict[str, int]:
    """The non-zero counts of `correction_counts_sql`'s row, by column."""
    return {c: n for c, n in zip(correction_columns(feed), counts, strict=True) if n}


def _typed_columns(feed: Feed) -> str:
    columns = []
    for field in feed.fields:
        value = _quote(field.name)
        if field.timestamp:
            columns.append(f"{value} as {_quote(field.name + '__text')}")
            columns.append(
                f"case when regexp_full_match({value}, {_literal(RFC3339)}) "
                f"then try_cast(upper({value}) as timestamptz) end as {_quote(field.name)}"
            )
        else:
            columns.append(value)
    return ",\n    ".join(columns)


def parse_sql(feed: Feed, lines: str, window: Window | None = None) -> str:
    """SELECT over relation `lines` (source, line_number, line VARCHAR, row_key) giving typed rows.

    Blank lines are not records and are skipped (the cheap test first: nearly every line
    starts with its brace); every other line gives one row, whose
    `reason` is NULL when the line can be stored (a NULL `line`, not UTF-8, is broken JSON).
    Timestamp fields come out as TIMESTAMPTZ; `window` bounds a usage feed's `ts` (its
    delivery day's lateness and clock skew), other timestamps must fall in the era of
    `privacy.classes`. `unnest` spreads the transformed struct into columns in one
    evaluation (selecting its fields one by one would transform the line once per field,
    and materializing the struct first costs as much as the transform).
    """
    structure = json.dumps(
        {
            f.name: (
                "STRUCT(" + ", ".join(f"{p.name} {p.sql_type}" for p in f.parts) + ")"
                if f.parts
                else f.sql_type
            )
            for f in feed.fields
        }
    )
    columns = _Columns(feed, window)
    return f"""
with records as (
  select source, line_number, row_key, line from {lines}
  where starts_with(line, '{{') or line is null or trim(line, e' \\t\\r\\n') <> ''
), checked as (
  select source, line_number, row_key, line, json_valid(line) as valid from records
), transformed as (
  select source, line_number, row_key, line,
    coalesce(valid and (starts_with(line, '{{') or starts_with(ltrim(line), '{{')), false)
      as is_object,
    unnest(case when valid then json_transform(line, {_literal(structure)}) end)
  from checked
), typed as (
  select source, line_number, row_key, is_object, line,
    {_typed_columns(feed)}
  from transformed
), judged as (
  select *{"".join(", " + d for d in columns.derived)} from typed
)
select source, line_number, row_key, {columns.reason_sql()} as reason,
  {", ".join(columns.outputs)},
  {columns.corrections_sql()} as corrections
from judged"""
