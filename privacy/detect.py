"""What personal data looks like in free text: one set of patterns for scrubbing and checking.

`redact_personal_data` replaces every finding with a placeholder (`<email>`,
`<ip>`, `<phone>`, `<card>`, `<iin>`); `privacy.text` scrubs with it and the
data-quality checks call `find_personal_data`, which reports what it would
replace. Because both are the same code, scrubbed text never has findings.

The kinds, in the order they are replaced:

- email: `local@domain.tld`;
- ip: an IPv4 or IPv6 address (IPv4-mapped included), also with a port or a
  prefix. A network written in CIDR form with zero host bits and a prefix no
  longer than the warehouse keeps (`/24`, `/48`) is not a finding;
- card: 13-19 digits passing the Luhn check, written as cards are: in one
  block, in groups of four (the last may be shorter) or as 4-6-5 / 4-6-4
  (Amex, Diners), separated by single spaces or dashes. Cards go before phones,
  so a phone-like tail of a card ("3782 822463 10005") stays part of the card;
- phone: `+7` or `8` (Kazakhstan, Russia) and ten digits, a bare Kazakh number
  `7xx xxx xx xx`, or `+` and 8-15 digits; single spaces, dashes and
  parentheses may separate the digits;
- iin: 12 digits in a row (IIN or BIN), even glued to letters (`иин900101300123`).

Prices, dates, years and guest counts are short or differently shaped and stay.
Text is NFKC-normalized first, so full-width digits or at signs hide nothing.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from privacy.network import IPV4_PREFIX, IPV6_PREFIX

KINDS: Final = ("email", "ip", "card", "phone", "iin")
PLACEHOLDERS: Final = {kind: f"<{kind}>" for kind in KINDS}

# Every finding holds a digit, an "@" or a ":"; text without any is left alone quickly.
_MAY_HOLD_FINDING: Final = re.compile(r"[\d@:]")

_EMAIL: Final = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")

_HEX: Final = "[0-9A-Fa-f]"
_IP: Final = re.compile(
    rf"""
    (?P<address>
        (?<![0-9.])(?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}}(?!\.?[0-9])                   # IPv4
      | (?<!{_HEX})(?:{_HEX}{{1,4}}|(?=::))                                          # IPv6
        (?::{_HEX}{{0,4}}){{2,7}}(?:\.[0-9]{{1,3}}){{0,3}}
        (?![0-9A-Fa-f:])
    )
    (?:/(?P<prefix>[0-9]{{1,3}})(?![0-9]))?
    """,
    re.VERBOSE,
)

_SEPARATED_DIGIT: Final = r"[\s()\-\u2013]{0,2}\d"  # \u2013: en dash
_PHONE: Final = re.compile(
    rf"""
      \+7(?:{_SEPARATED_DIGIT}){{10}}(?!\d)                  # +7 701 234 56 78
    | \+[1-9](?:{_SEPARATED_DIGIT}){{7,14}}(?!\d)            # +44 20 7946 0958
    | (?<![\d+])[78](?:{_SEPARATED_DIGIT}){{10}}(?!\d)       # 8(701)234-56-78, 77012345678
    | (?<![\d+])7(?:{_SEPARATED_DIGIT}){{9}}(?!\d)           # 701 234 56 78
    """,
    re.VERBOSE,
)

_DIGIT_GROUPS: Final = re.compile(r"\d+(?:[ \-]\d+)*")
_GROUP_SEPARATOR: Final = re.compile(r"([ \-])")
_CARD_DIGITS: Final = range(13, 20)
_MAX_CARD_GROUPS: Final = 5  # 4-4-4-4-3

_IIN: Final = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _is_address(match: re.Match[str]) -> bool:
    """True unless the candidate is no address, or a network at least as coarse as we keep.

    A bare "::" is punctuation far more often than the unspecified address.
    """
    if match["address"] == "::":
        return False
    try:
        address = ipaddress.ip_address(match["address"])
    except ValueError:
        return False
    prefix = match["prefix"]
    if prefix is None:
        return True
    try:
        ipaddress.ip_network(f"{match['address']}/{prefix}")  # strict: host bits are zero
    except ValueError:
        return True
    return int(prefix) > (IPV4_PREFIX if address.version == 4 else IPV6_PREFIX)


def _luhn_valid(digits: str) -> bool:
    """The payment-card checksum; it keeps long ordinary numbers out of `<card>`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(groups: list[str]) -> bool:
    """Whether these digit groups are written like a card number and pass its checksum."""
    lengths = [len(group) for group in groups]
    shaped = (
        len(groups) == 1
        or (all(n == 4 for n in lengths[:-1]) and lengths[-1] <= 4)
        or lengths in ([4, 6, 5], [4, 6, 4])
    )
    digits = "".join(groups)
    return shaped and len(digits) in _CARD_DIGITS and _luhn_valid(digits)


def _replace_cards(match: re.Match[str]) -> str:
    """Within a run of digit groups, the longest card-like spans of whole groups become `<card>`.

    A run may hold more than a card ("2 4111 1111 1111 1111"), so every span of
    whole groups is tried, leftmost and longest first.
    """
    pieces = _GROUP_SEPARATOR.split(match.group())
    groups, separators = pieces[0::2], [*pieces[1::2], ""]
    out: list[str] = []
    start = 0
    while start < len(groups):
        end = next(
            (
                end
                for end in range(min(len(groups), start + _MAX_CARD_GROUPS), start, -1)
                if _is_card(groups[start:end])
            ),
            None,
        )
        if end is None:
            out += (groups[start], separators[start])
            start += 1
        else:
            out += (PLACEHOLDERS["card"], separators[end - 1])
            start = end
    return "".join(out)


def _substitute(
    pattern: re.Pattern[str], kind: str, accept: Callable[[re.Match[str]], bool] | None = None
) -> Callable[[str], str]:
    """A replacer of `pattern`'s matches (those `accept` agrees to) by the kind's placeholder."""
    placeholder = PLACEHOLDERS[kind]

    def replace(match: re.Match[str]) -> str:
        return placeholder if accept is None or accept(match) else match.group()

    return lambda text: pattern.sub(replace, text)


_REPLACERS: Final[tuple[tuple[str, Callable[[str], str]], ...]] = (
    ("email", _substitute(_EMAIL, "email")),
    ("ip", _substitute(_IP, "ip", _is_address)),
    ("card", lambda text: _DIGIT_GROUPS.sub(_replace_cards, text)),
    ("phone", _substitute(_PHONE, "phone")),
    ("iin", _substitute(_IIN, "iin")),
)


def redact_personal_data(text: str) -> tuple[str, frozenset[str]]:
    """`text` with every finding replaced by its placeholder, and the kinds found.

    Replacing one finding can change the surroundings of another, so passes
    repeat until one changes nothing; each pass that does removes digits, "@"
    or ":", so this ends. The result is NFKC-normalized.
    """
    found: set[str] = set()
    while True:
        text = unicodedata.normalize("NFKC", text)
        if not _MAY_HOLD_FINDING.search(text):
            return text, frozenset(found)
        before = text
        for kind, replace in _REPLACERS:
            replaced = replace(text)
            if replaced != text:
                found.add(kind)
                text = replaced
        if text == before:
            return text, frozenset(found)


def find_personal_data(text: str) -> set[str]:
    """The kinds of personal data in `text`, for checks that block a load which leaked some."""
    return set(redact_personal_data(text)[1])
