"""Privacy classes: what a stored column may hold, as an allow-list DuckDB can check.

Every column the warehouse, its published copies and its exports store belongs to one class
(`ingestion.columns` says which). A class is a predicate over the values it allows, written
once as SQL: ingestion maps a value outside it to the class's fallback (`other`, `unknown`
or NULL) and counts it, the guard before each day's commit and the blocking checks after it
find values outside it with the same predicate. The same allow-list is also kept as data
(values, a pattern or bounds), from which the Great Expectations suites are built: a second,
independent implementation. Free text is the exception: no SQL can say what personal data
looks like, so its class is checked in Python by `privacy.detect`.

A class allows NULL; NOT NULL is the table's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

# The era a stored moment may fall in: the website did not exist before, and a year such
# as 9999 is a producer's placeholder, not a time.
EARLIEST: Final = "2000-01-01"
LATEST: Final = "2100-01-01"

UUID: Final = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
LISTING_ID: Final = "lst_[0-9]{1,9}"


def sql_literal(text: str) -> str:
    """A SQL string literal of `text`."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class PrivacyClass:
    """One class: its name, what its values are (for the README and access reports), and
    `check(column)`, SQL true for every value it allows; None where only Python can tell."""

    name: str
    holds: str
    check: Callable[[str], str] | None
    fallback: str = "null"  # SQL a value outside the class becomes
    # The allow-list as data: the values allowed, a regular expression every value matches
    # whole, or (low, high) bounds of a number (None: unbounded on that side).
    values: tuple[str, ...] | None = None
    pattern: str | None = None
    bounds: tuple[float | None, float | None] | None = None

    @property
    def check_needs_a_scan(self) -> bool:
        """Whether some stored value could fail the SQL check (a flag's cannot: the column's
        type allows nothing else; free text is checked in Python)."""
        return self.check is not None and self.check("x") != "true"

    def allows_sql(self, column: str) -> str:
        """SQL true when `column` is NULL or inside the class."""
        if self.check is None:
            raise ValueError(f"class {self.name} is checked in Python, not SQL")
        return f"({column} is null or coalesce({self.check(column)}, false))"

    def enforce_sql(self, column: str) -> str:
        """SQL giving `column` where the class allows it, else the fallback."""
        return f"case when {self.allows_sql(column)} then {column} else {self.fallback} end"


def _matching(name: str, holds: str, pattern: str, fallback: str = "null") -> PrivacyClass:
    """The values matching `pattern` whole."""
    return PrivacyClass(
        name,
        holds,
        lambda column: f"regexp_full_match({column}, {sql_literal(pattern)})",
        fallback,
        pattern=pattern,
    )


def _hex(name: str, holds: str, chars: int) -> PrivacyClass:
    """Hex of a fixed length, checked by decoding it (half the cost of a regular expression
    on a million rows): nothing else decodes to that many bytes."""
    return PrivacyClass(
        name,
        f"{holds} ({chars} hex characters)",
        lambda column: f"(length({column}) = {chars} and try(unhex({column})) is not null)",
        pattern=f"[0-9a-fA-F]{{{chars}}}",
    )


def _bounded(name: str, holds: str, low: float | None, high: float | None) -> PrivacyClass:
    """Finite numbers within [low, high] (None: no bound on that side)."""

    def check(column: str) -> str:
        parts = [f"isfinite({column})"]
        parts += [] if low is None else [f"{column} >= {low!r}"]
        parts += [] if high is None else [f"{column} <= {high!r}"]
        return "(" + " and ".join(parts) + ")"

    return PrivacyClass(name, holds, check, bounds=(low, high))


def _between(name: str, holds: str, cast: str) -> PrivacyClass:
    """Moments or days of the era."""
    return PrivacyClass(
        name,
        f"{holds}, from {EARLIEST} to before {LATEST}",
        lambda column: f"({column} >= '{EARLIEST}'::{cast} and {column} < '{LATEST}'::{cast})",
    )


def pseudonym() -> PrivacyClass:
    return _hex("pseudonym", "a keyed HMAC-SHA256 pseudonym of an identifier", 32)


def digest() -> PrivacyClass:
    return _hex("digest", "SHA-256 of a pseudonym: it can recognise one, never give it back", 64)


def day_token() -> PrivacyClass:
    return _hex("day token", "a keyed token of an IP address that changes every Almaty day", 16)


def derived_key() -> PrivacyClass:
    return PrivacyClass(
        "derived key",
        "a hex key the warehouse computed (a session, a purge, a fingerprint)",
        lambda column: f"(length({column}) between 8 and 64 and try(unhex({column})) is not null)",
        pattern="(?:[0-9a-fA-F]{2}){4,32}",
    )


def network() -> PrivacyClass:
    return _matching(
        "coarsened network",
        "an IPv4 /24 or IPv6 /48 network, never an address",
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|"
        r"[1-9]?[0-9])){2}\.0/24|(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})?::/48",
    )


def enumeration(values: Iterable[str], fallback: str | None = "other") -> PrivacyClass:
    """One of `values`; anything else becomes `fallback` (or NULL)."""
    allowed = tuple(dict.fromkeys(values))
    # A subquery, not a list of constants: DuckDB then probes a hash table instead of
    # comparing each value with hundreds of strings (the browser families).
    listed = "select unnest([" + ", ".join(sql_literal(v) for v in allowed) + "])"
    return PrivacyClass(
        "enumeration",
        "one of: " + ", ".join(allowed),
        lambda column: f"{column} in ({listed})",
        "null" if fallback is None else sql_literal(fallback),
        values=allowed,
    )


def locale() -> PrivacyClass:
    return _matching(
        "locale",
        "a language subtag, optionally with a region (ru-KZ); 'other', or in the marts "
        "'unknown' (none given)",
        "[a-z]{2,3}(?:-[A-Z]{2})?|other|unknown",
        "'other'",
    )


def version() -> PrivacyClass:
    return _matching("bounded version", "a major version of at most three digits", "[0-9]{1,3}")


def record_id() -> PrivacyClass:
    return _matching(
        "record id",
        "the website's random id of one event or search (a UUID), never a person's",
        UUID,
    )


def catalog_id(*markers: str) -> PrivacyClass:
    """A listing id of the contract's form (`lst_10234`), or one of `markers` (a mart's
    'other' for folded small groups)."""
    return _matching(
        "catalog id",
        "a listing id of the contract's form (lst_ and up to 9 digits)"
        + (f", or {', '.join(markers)}" if markers else ""),
        "|".join((LISTING_ID, *markers)),
    )


def catalog_ids() -> PrivacyClass:
    """A list of catalog ids (a search's results)."""
    return PrivacyClass(
        "catalog ids",
        "a list of listing ids of the contract's form",
        # an empty list holds nothing outside the class
        lambda column: (
            f"coalesce(list_bool_and(list_transform({column}, lambda x: regexp_full_match(x, "
            f"{sql_literal(LISTING_ID)}))), len({column}) = 0)"
        ),
    )


def reference(pattern: str, holds: str) -> PrivacyClass:
    """An id the website delivers that may be shown only in its expected form."""
    return _matching("reference", holds, pattern)


def number(low: float, high: float, holds: str) -> PrivacyClass:
    """A finite number within [low, high]."""
    return _bounded(
        "bounded number", f"{holds}: a finite number from {low:g} to {high:g}", low, high
    )


def aggregate(holds: str, low: float | None = 0, high: float | None = None) -> PrivacyClass:
    """A figure over a group of at least ALMATY_MIN_GROUP_SIZE people, or over the site."""
    return _bounded(
        "aggregate", f"{holds}: a figure over a group, never about one person", low, high
    )


def timestamp(holds: str = "a moment") -> PrivacyClass:
    return _between("plausible timestamp", holds, "timestamptz")


def local_time() -> PrivacyClass:
    return _between("plausible timestamp", "a wall-clock time in Almaty", "timestamp")


def day(holds: str = "an Almaty day") -> PrivacyClass:
    return _between("day", holds, "date")


def date_text(holds: str) -> PrivacyClass:
    """A date written YYYY-MM-DD, as search filters carry it."""
    era = _between("day", holds, "date").check
    assert era is not None
    return PrivacyClass(
        "day",
        f"{holds}: a date written YYYY-MM-DD, from {EARLIEST} to before {LATEST}",
        lambda column: (
            f"(regexp_full_match({column}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') and "
            f"{era(f'try_cast({column} as date)')})"
        ),
        pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}",
    )


def flag(holds: str) -> PrivacyClass:
    return PrivacyClass("flag", f"{holds} (true or false)", lambda column: "true")


def coarse_location() -> PrivacyClass:
    """The centre of a 0.01 degree cell (`privacy.location`)."""
    return PrivacyClass(
        "coarse location",
        "the centre of a 0.01 degree cell (about 1 km), never a device's own reading",
        lambda column: (
            f"(isfinite({column}) and abs({column} * 100 - floor({column} * 100) - 0.5) < 1e-6)"
        ),
        bounds=(-180, 180),
    )


def scrubbed_text(holds: str) -> PrivacyClass:
    """Free text; checked by `privacy.detect.find_personal_data`, in Python."""
    return PrivacyClass(
        "scrubbed free text",
        f"{holds}, with e-mails, phones, ID and card numbers, addresses and identifiers "
        "replaced by placeholders",
        None,
    )
