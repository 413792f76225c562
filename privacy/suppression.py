"""Subjects none of whose records may be kept, and which reason counts when several apply.

The suppression list keeps digests, never pseudonyms, so a purged pseudonym leaves the warehouse.
A subject that is erased must vanish from the warehouse, yet later deliveries of its
records must still be recognised and dropped. So the list (and an erasure request's user)
holds SHA-256 of the pseudonym: shown a pseudonym, anyone can tell whether it is
suppressed, but the list cannot give one back. Pseudonyms are keyed 128-bit values, so the
digest cannot be inverted by guessing either.

Precedence: a record of several suppressed subjects (a user and the anonymous id seen with
them), or a subject under several rules, is counted under the strongest reason, the first
of `SUPPRESSION_REASONS`. Ingestion, the purge and the checks all rank through this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

# Strongest first: an erasure outranks expiry, which outranks an opt-out.
SUPPRESSION_REASONS: Final = ("erasure", "retention", "analytics_opt_out")
# Why a valid record of the usage feeds is not stored: a copy, or a suppressed subject, or
# (`retention` again) an anonymous record past retention.
DROP_REASONS: Final = ("duplicate", *SUPPRESSION_REASONS)


def suppression_digest(pseudonym: str) -> str:
    """The digest the suppression list stores for `pseudonym` (64 hex characters)."""
    return hashlib.sha256(pseudonym.encode()).hexdigest()


def suppression_digest_sql(column: str) -> str:
    """The same digest computed in DuckDB over `column`."""
    return f"sha256({column})"


def suppression_rank(reason: str) -> int:
    """1 for the strongest reason; ValueError for anything not a suppression reason."""
    try:
        return SUPPRESSION_REASONS.index(reason) + 1
    except ValueError:
        raise ValueError(f"not a suppression reason: {reason!r}") from None


def strongest_reason(reasons: Iterable[str]) -> str | None:
    """The reason a subject (or record) is counted under, of all that apply; None if none."""
    return min(reasons, key=suppression_rank, default=None)


def suppression_rank_sql(reason: str) -> str:
    """`suppression_rank` of SQL expression `reason` (NULL for anything else)."""
    whens = " ".join(
        f"when '{name}' then {rank}" for rank, name in enumerate(SUPPRESSION_REASONS, start=1)
    )
    return f"(case {reason} {whens} end)"


def strongest_reason_sql(reason: str) -> str:
    """An aggregate giving `strongest_reason` of the `reason` values of a group."""
    return f"arg_min({reason}, {suppression_rank_sql(reason)})"
