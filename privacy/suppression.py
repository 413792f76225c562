"""The suppression list keeps digests, never pseudonyms, so a purged pseudonym leaves the file.

A subject that is erased must vanish from the warehouse file, yet later deliveries of its
records must still be recognised and dropped. So the list (and an erasure request's user)
holds SHA-256 of the pseudonym: shown a pseudonym, anyone can tell whether it is
suppressed, but the list cannot give one back. Pseudonyms are keyed 128-bit values, so the
digest cannot be inverted by guessing either.
"""

from __future__ import annotations

import hashlib


def suppression_digest(pseudonym: str) -> str:
    """The digest the suppression list stores for `pseudonym` (64 hex characters)."""
    return hashlib.sha256(pseudonym.encode()).hexdigest()


def suppression_digest_sql(column: str) -> str:
    """The same digest computed in DuckDB over `column`."""
    return f"sha256({column})"
