"""Keyed pseudonyms: the same identifier maps to the same opaque value everywhere.

Identifiers (account ids, cookie ids, device ids) are replaced by
HMAC-SHA256(kind key, identifier) truncated to 128 bits, so tables still join on
them but nobody without the secret can compute or confirm one by guessing.

Keys: one per kind of identifier, derived from the secret as
HMAC-SHA256(secret, b"almaty/pseudonym/v1/" + kind). HMAC keyed with a uniformly
random secret is a pseudorandom function, so this is HKDF's expand step with a
single output block; separate keys mean one string (say "u_1842" used as both a
user id and an anonymous id) gets unrelated pseudonyms per kind. Changing "v1"
or the secret changes every pseudonym, which `key_version` makes detectable.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Final, overload

MIN_SECRET_BYTES: Final = 32
KINDS: Final = ("user", "anonymous", "device", "reference", "ip")
# Kinds that get stable pseudonyms; "ip" only feeds the per-day keys of privacy.network.
# "reference" stands in for an id the website delivers that is not of its expected form.
IDENTIFIER_KINDS: Final = ("user", "anonymous", "device", "reference")
PSEUDONYM_HEX_CHARS: Final = 32  # 128 bits

_HMAC_BLOCK_BYTES: Final = 64  # SHA-256's block
_KEY_LABEL: Final = b"almaty/pseudonym/v1/"
_VERSION_LABEL: Final = b"almaty/key-version"


def _checked_secret(secret: bytes) -> bytes:
    """The secret itself, or ValueError: a short secret would make guessing feasible."""
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the pseudonymization secret must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def key_version(secret: bytes) -> str:
    """A short, non-secret fingerprint of `secret`, stored beside the pseudonyms.

    When the secret is rotated the fingerprint changes, so the warehouse can see
    that its pseudonyms no longer match new data and must be rebuilt.
    """
    mac = hmac.new(_checked_secret(secret), _VERSION_LABEL, hashlib.sha256)
    return mac.hexdigest()[:8]


def derive_key(secret: bytes, kind: str) -> bytes:
    """The 32-byte key for one kind of identifier, so kinds never share pseudonyms."""
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; expected one of {', '.join(KINDS)}")
    return hmac.new(_checked_secret(secret), _KEY_LABEL + kind.encode(), hashlib.sha256).digest()


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104): with them, an engine that has only
    SHA-256, such as DuckDB, computes the same HMAC-SHA256 as Python's `hmac`.
    """
    if len(key) > _HMAC_BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    block = key.ljust(_HMAC_BLOCK_BYTES, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def hmac_sha256_sql(message: str, inner: str, outer: str) -> str:
    """DuckDB SQL for the hex HMAC-SHA256 of BLOB expression `message`, given SQL for the
    padded keys of `hmac_pads` (parameters or columns, never literals: a statement's text
    can end up in an error message).
    """
    return f"sha256({outer} || unhex(sha256({inner} || {message})))"


class Pseudonymizer:
    """Turns identifiers of one kind into 32 hex characters (128 bits); None stays None.

    Build one per kind and batch; it holds a prepared HMAC that is copied per
    value, which is what makes `many` fast. Identifiers are taken exactly as
    given (no trimming or case folding): they are machine-made, and two ids
    that differ in any way belong to different people.
    """

    __slots__ = ("_mac", "_pads", "kind")

    def __init__(self, secret: bytes, kind: str) -> None:
        if kind not in IDENTIFIER_KINDS:
            raise ValueError(
                f"no stable pseudonyms for kind {kind!r}; expected one of "
                f"{', '.join(IDENTIFIER_KINDS)} (IP addresses get per-day tokens "
                "from privacy.network)"
            )
        self.kind = kind
        key = derive_key(secret, kind)
        self._mac = hmac.new(key, digestmod=hashlib.sha256)
        self._pads = hmac_pads(key)

    def __repr__(self) -> str:
        return f"Pseudonymizer(kind={self.kind!r})"

    @overload
    def __call__(self, value: str) -> str: ...
    @overload
    def __call__(self, value: None) -> None: ...
    def __call__(self, value: str | None) -> str | None:
        """The pseudonym of one identifier."""
        return self.many([value])[0]

    def many(self, values: Sequence[str | None]) -> list[str | None]:
        """Pseudonyms of a batch of (distinct) identifiers, in the same order."""
        copy = self._mac.copy
        result: list[str | None] = []
        append = result.append
        for value in values:
            if value is None:
                append(None)
                continue
            mac = copy()
            # surrogatepass: a lone surrogate from loosely parsed JSON still gets a pseudonym
            mac.update(value.encode("utf-8", "surrogatepass"))
            append(mac.hexdigest()[:PSEUDONYM_HEX_CHARS])
        return result

    def sql(self, value: str) -> tuple[str, dict[str, bytes]]:
        """The same pseudonyms computed by DuckDB over VARCHAR expression `value` (NULL stays
        NULL), for a million rows at once on every core: (SQL expression, the named
        parameters it needs). DuckDB's strings are valid UTF-8, so `encode` gives the bytes
        `many` hashes.
        """
        name = f"{self.kind}_pseudonym_key"
        digest = hmac_sha256_sql(f"encode({value})", f"${name}_inner", f"${name}_outer")
        inner, outer = self._pads
        return (
            f"left({digest}, {PSEUDONYM_HEX_CHARS})",
            {f"{name}_inner": inner, f"{name}_outer": outer},
        )
