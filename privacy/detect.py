"""What personal data looks like in free text: one set of patterns for scrubbing and checking.

`redact_personal_data` replaces every finding with a placeholder (`<email>`,
`<ip>`, `<id>`, `<token>`, `<card>`, `<phone>`, `<iin>`); `privacy.text` scrubs
with it and the data-quality checks call `find_personal_data`, which reports what
it would replace. Because both are the same code, scrubbed text never has findings,
and scrubbing scrubbed text changes nothing.

Rules are written for classes of input, not for spellings. Before anything is
matched, text is brought to one canonical form (`canonical_text`):

- percent-escapes are decoded until none is left (`%2540` is `%40` is `@`), those
  that are not UTF-8 stay as they are;
- what is drawn as nothing goes: format characters (Unicode category Cf: zero-width
  spaces and joiners, soft hyphen, bidi marks, BOM, word joiner, tags...), the other
  default-ignorable characters (variation selectors, Hangul fillers, the combining
  grapheme joiner), control characters other than whitespace, lone surrogates;
- NFKC, so full-width, mathematical and circled forms become ASCII;
- every decimal digit (category Nd: Arabic-Indic, Devanagari, Thai...) and the
  circled digits NFKC leaves become ASCII 0-9;
- combining marks after a Latin, Greek or Cyrillic letter, a digit or punctuation,
  or at the very start, go: NFKC composes the accents those scripts use, so what is
  left only disguises ("8̶7̶0̶1̶", keycaps "8️⃣"). An accent NFKC composes with a
  letter makes another letter ("ù_1842" is no account id).

A separator is a run of up to four spaces (any Unicode space), dots, slashes,
underscores, bars, hyphens or dashes, parentheses, brackets, middle dots or bullets.
The kinds, in the order they are replaced:

- email: `local@domain.tld`;
- ip: an IPv4 or IPv6 address (IPv4-mapped included), also with a port or a
  prefix. A network written in CIDR form with zero host bits and a prefix no
  longer than the warehouse keeps (`/24`, `/48`) is not a finding;
- id: an account id in the site's form `u_<digits>`, and a value holding a digit
  after an account key: `user`, `users`, `profile(s)`, `account(s)`, `user_id`,
  `id`, `uid`... followed by `/` or `=` (`/user/1842/bookings` -> `/user/<id>/bookings`);
- token: a UUID; a JWT (`eyJ...` and two more dot-separated base64url parts); the
  value of a session or token key (`;jsessionid=`, `sid=`, `PHPSESSID=`,
  `access_token=`); a run of 16 or more ASCII letters, digits, `-` and `_` that
  switches between letters and digits at least three times (hex, base64 and
  base36 tokens; slugs such as `almaty-in-winter-2024` do not switch);
- card: 13-19 digits passing the Luhn check, in one block or in any grouping of
  three groups or more joined by one repeated separator (two groups read as a range:
  "800000-1300000"). Cards go before phones, so a phone-like tail of a card stays
  part of the card; after a "+", digits a phone can hold (15) are a phone;
- phone: `+` and 8-15 digits in any grouping; `+7`, `7` or `8` and a ten-digit
  national number (Kazakhstan, Russia) whose area or operator code starts 3-9; a
  bare Kazakh number `7xx xxx xx xx`. Without a "+", the three-digit code ends a
  group ("(701)", "8701 ...") or the seven digits after it are one block, and those
  seven are in any grouping of groups of two or more; so price ranges ("75 000 -
  85 000", "75000-85000", "700 000-1 200 000") and dates ("8.07.2025") are no phones;
- iin: 12 digits (IIN or BIN) in one block, even glued to letters
  (`иин900101300123`), or in any grouping joined by one repeated separator when
  they begin with a year and a month (YYMM), as IINs and BINs do.

"One repeated separator" keeps number sequences apart: "31.12.2025 - 05.01.2026"
joins groups by "." and " - ", so it holds no card or IIN. Within a longer run of
groups, the leftmost, longest span of whole groups is taken ("2 4111 1111 1111 1111"
is "2 <card>"). Prices, dates, years, guest counts, listing ids (`lst_10234`) and
words are short or differently shaped and stay.

Every finding holds a digit, "@", ":", "=" or "eyJ", so text without any is only
canonicalized. The result is in canonical form.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from privacy.network import is_coarse_network

KINDS: Final = ("email", "ip", "id", "token", "card", "phone", "iin")
PLACEHOLDERS: Final = {kind: f"<{kind}>" for kind in KINDS}

# Canonical form. Default-ignorable characters that are not Cf (those go by category).
_IGNORABLE: Final = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})
_ESCAPES: Final = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_OTHER_DIGIT: Final = re.compile(r"(?![0-9])\d|[\u2460-\u24ff\u2776-\u2793]")
# Latin, IPA, Greek, Cyrillic and their supplements, without their combining marks.
_MARK_BASE: Final = "\x00-\u02ff\u0370-\u0482\u048a-\u052f"
_AFTER_MARK_BASE: Final = re.compile(f"(?:(?<=[{_MARK_BASE}])|^)[^{_MARK_BASE}]+")
_OUTSIDE_MARK_BASE: Final = re.compile(f"[^{_MARK_BASE}]")  # where the rest of the steps act

_MAY_HOLD_FINDING: Final = re.compile(r"[0-9@:=]|eyJ")
_DIGITS: Final = "0123456789"

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

# An account key after a boundary (kept, so the pattern starts with a character class
# and is searched quickly: text is scrubbed with a space in front), then its value.
_ACCOUNT_VALUE: Final = re.compile(
    r"""(?x)
    (?P<key>[\s/\\;:?&=(,'"](?i:(?:user|profile|account)(?:s|_?id)?|u?id)[/=])
    (?P<value>[\w.~-]*[0-9][\w.~-]*)(?![\w.~-])    # /user/1842, user_id=a81f
    """
)
_ACCOUNT_ID: Final = re.compile(r"[Uu]_[0-9]+")  # the site's form, when not inside a word
_SESSION: Final = re.compile(
    r"""(?ix)
    (?P<key>sess(?:ion)?(?:_?id)?|sid|token)=
    (?:(?=[a-z._~+:-]*[0-9])[a-z0-9._~+:-]+|[a-z._~+:-]{16,})=*   # holding a digit, or long
    """
)
_TOKEN: Final = re.compile(
    r"""(?x)
    (?<![A-Za-z0-9_-])
    (?:
        eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*                # JWT
      | (?=[A-Fa-f-]*[0-9])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}  # UUID
      | (?P<run>[A-Za-z0-9_-]{16,})
    )
    (?![A-Za-z0-9_-])
    """
)
_LETTER_DIGIT_SWITCH: Final = re.compile(r"[A-Za-z](?=[0-9])|[0-9](?=[A-Za-z])")
_MIN_TOKEN_SWITCHES: Final = 3

# Dashes: Unicode category Pd as NFKC leaves it, and the minus sign.
_DASH_CHARS: Final = (
    "-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a"
    "\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\u2212\U00010ead"
)
_SEPARATOR_CHARS: Final = r"\s._/\\|()\[\]\u00b7\u2022" + re.escape(_DASH_CHARS)
_MAYBE_SEPARATED: Final = f"[{_SEPARATOR_CHARS}]{{0,4}}"
_SEPARATOR_RUN: Final = re.compile(f"([{_SEPARATOR_CHARS}]+)")
_WHITESPACE: Final = re.compile(r"\s+")

_CARD_DIGITS: Final = range(13, 20)
_PHONE_DIGITS: Final = range(8, 16)  # after a "+": country code and number (E.164)
_IIN_DIGITS: Final = range(12, 13)

# A national number's three-digit code ends a group, or the seven digits after it are one.
_AFTER_CODE: Final = (
    rf"(?:[0-9]{{7}}|[{_SEPARATOR_CHARS}]{{1,4}}[0-9](?:{_MAYBE_SEPARATED}[0-9]){{6}})"
)
_PHONE: Final = re.compile(
    rf"""
      \+{_MAYBE_SEPARATED}7(?:{_MAYBE_SEPARATED}[0-9]){{10}}(?![0-9])           # +7 701 234 56 78
    | \+{_MAYBE_SEPARATED}[1-9](?:{_MAYBE_SEPARATED}[0-9])
        {{{_PHONE_DIGITS.start - 1},{_PHONE_DIGITS.stop - 2}}}(?![0-9])           # +44 20 7946 0958
    | (?<![0-9+])[78]{_MAYBE_SEPARATED}[3-9][0-9]{{2}}(?P<subscriber>{_AFTER_CODE})(?![0-9])
                                                                              # 8(701)234-56-78
    | (?<![0-9+])7[0-9]{{2}}(?P<bare_subscriber>{_AFTER_CODE})(?![0-9])        # 701 234 56 78
    """,
    re.VERBOSE,
)
_DIGIT_GROUP: Final = re.compile(r"[0-9]+")


def _grouped_digits(at_least: int) -> re.Pattern[str]:
    """Runs of digit groups joined by separators that hold `at_least` digits."""
    return re.compile(
        rf"(?<![0-9])(?=(?:{_MAYBE_SEPARATED}[0-9]){{{at_least}}})"
        rf"[0-9]+(?:[{_SEPARATOR_CHARS}]{{1,4}}[0-9]+)*"
    )


_CARD_RUN: Final = _grouped_digits(_CARD_DIGITS.start)
_IIN_RUN: Final = _grouped_digits(_IIN_DIGITS.start)
_PLUS_BEFORE: Final = re.compile(rf"\+{_MAYBE_SEPARATED}$")


def _is_address(match: re.Match[str]) -> bool:
    """True unless the candidate is no address, or a network at least as coarse as we keep.

    A bare "::" is punctuation far more often than the unspecified address.
    """
    if match["address"] == "::":
        return False
    try:
        ipaddress.ip_address(match["address"])
    except ValueError:
        return False
    prefix = match["prefix"]
    return prefix is None or not is_coarse_network(match["address"], int(prefix))


def _without_invisible(text: str) -> str:
    """`text` without controls (whitespace stays), format characters and lone surrogates."""
    if text.isprintable():  # the common case: no Cc, Cf or Cs at all
        return text
    return "".join(
        char
        for char in text
        if char.isspace() or unicodedata.category(char) not in _INVISIBLE_CATEGORIES
    )


def _decode_escapes(match: re.Match[str]) -> str:
    """A run of percent-escapes decoded as UTF-8; bytes that are not UTF-8 stay as written."""
    escapes = match.group()
    data = bytes.fromhex(escapes.replace("%", ""))
    decoded: list[str] = []
    start = 0
    while True:
        try:
            decoded.append(data[start:].decode())
            return "".join(decoded)
        except UnicodeDecodeError as error:
            bad, good = start + error.start, start + error.end
            decoded += (data[start:bad].decode(), escapes[3 * bad : 3 * good])
            start = good


def _ascii_digit(match: re.Match[str]) -> str:
    digit = unicodedata.digit(match.group(), None)
    return match.group() if digit is None else str(digit)


def _without_leading_marks(match: re.Match[str]) -> str:
    run = match.group()
    start = 0
    while start < len(run) and unicodedata.category(run[start])[0] == "M":
        start += 1
    return run[start:]


def canonical_text(text: str) -> str:
    """`text` as the patterns see it: decoded, without invisible characters, NFKC, ASCII
    digits, without disguising combining marks (see the module docstring).

    Most text is ASCII, Latin or Cyrillic without marks, and only takes the first steps.
    """
    text = _without_invisible(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    while "%" in text:
        decoded = _ESCAPES.sub(_decode_escapes, text)
        if decoded == text:
            break
        text = unicodedata.normalize("NFKC", _without_invisible(decoded))
    if text.isascii() or not _OUTSIDE_MARK_BASE.search(text):
        return text
    text = _OTHER_DIGIT.sub(_ascii_digit, _IGNORABLE.sub("", text))
    return _AFTER_MARK_BASE.sub(_without_leading_marks, text)


def _luhn_valid(digits: str) -> bool:
    """The payment-card checksum; it keeps long ordinary numbers out of `<card>`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _separator_key(separator: str) -> str:
    """What makes two separators the same: any run of whitespace counts as one space."""
    return _WHITESPACE.sub(" ", separator)


def _span_replacer(
    kind: str, digit_counts: range, accept: Callable[[str, int], bool]
) -> Callable[[str], str]:
    """A replacer, within a run of digit groups, of the leftmost, longest spans of whole
    groups joined by one repeated separator, with `digit_counts` digits that `accept`
    takes (given the digits and the number of groups they were written in).
    """
    placeholder = PLACEHOLDERS[kind]

    def replace(run: str) -> str:
        pieces = _SEPARATOR_RUN.split(run)
        groups = pieces[0::2]
        keys = [_separator_key(separator) for separator in pieces[1::2]]
        out: list[str] = []
        start = 0
        while start < len(groups):
            end, digits = None, 0
            for last in range(start, len(groups)):
                if last > start and keys[last - 1] != keys[start]:
                    break
                digits += len(groups[last])
                if digits >= digit_counts.stop:
                    break
                if digits in digit_counts and accept(
                    "".join(groups[start : last + 1]), last + 1 - start
                ):
                    end = last + 1
            if end is None:
                out.append(groups[start])
                start += 1
            else:
                out.append(placeholder)
                start = end
            if start < len(groups):
                out.append(pieces[2 * start - 1])
        return "".join(out)

    return replace


def _replace_address(match: re.Match[str]) -> str:
    return PLACEHOLDERS["ip"] if _is_address(match) else match.group()


def _replace_account_value(match: re.Match[str]) -> str:
    value = match["value"]
    return match["key"] + PLACEHOLDERS["id"] + value[len(value.rstrip(".")) :]  # "user/12."


def _replace_account_id(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if text[start - 1 : start].isalnum() or text[end : end + 1].isalnum():
        return match.group()  # inside a word: "menu_2024"
    return PLACEHOLDERS["id"]


def _replace_session(match: re.Match[str]) -> str:
    return f"{match['key']}={PLACEHOLDERS['token']}"


def _replace_token(match: re.Match[str]) -> str:
    run = match["run"]
    if run is not None and len(_LETTER_DIGIT_SWITCH.findall(run)) < _MIN_TOKEN_SWITCHES:
        return run
    return PLACEHOLDERS["token"]


def _card_shaped(digits: str, groups: int) -> bool:
    """Luhn-valid, in one block or in three groups or more: two read as a range of two
    numbers ("800000-1300000")."""
    return groups != 2 and _luhn_valid(digits)


def _iin_shaped(digits: str, groups: int) -> bool:
    """Any 12 digits in one block; in groups, only if they begin with a year and a month,
    as IINs (birth date) and BINs (registration) do, so "2024 2025 2026" stays."""
    return groups == 1 or "01" <= digits[2:4] <= "12"


_card_spans: Final = _span_replacer("card", _CARD_DIGITS, _card_shaped)
_iin_spans: Final = _span_replacer("iin", _IIN_DIGITS, _iin_shaped)


def _replace_cards(match: re.Match[str]) -> str:
    """Card spans of a run; after a "+", a run short enough for a phone number (15 digits)
    is one, so its first group starts no card ("+49 156 193512707")."""
    run = match.group()
    if (
        _PLUS_BEFORE.search(match.string, max(0, match.start() - 5), match.start())
        and sum(map(str.isdigit, run)) < _PHONE_DIGITS.stop
    ):
        head, *rest = _SEPARATOR_RUN.split(run, maxsplit=1)
        return head + "".join(rest[:1]) + "".join(map(_card_spans, rest[1:]))
    return _card_spans(run)


def _is_phone(match: re.Match[str]) -> bool:
    """Without a "+", the seven digits after the code come in groups of two or more: a group
    of one is the head of another number ("700 000-1 200 000" is a price range)."""
    subscriber = match["subscriber"] or match["bare_subscriber"]
    return subscriber is None or all(len(group) > 1 for group in _DIGIT_GROUP.findall(subscriber))


def _phones(text: str) -> str:
    """`text` with its phone numbers replaced; a candidate that is none is passed by one
    character, so a phone that starts inside it is still found."""
    out: list[str] = []
    position = copied = 0
    while match := _PHONE.search(text, position):
        if _is_phone(match):
            out += (text[copied : match.start()], PLACEHOLDERS["phone"])
            position = copied = match.end()
        else:
            position = match.start() + 1
    return "".join(out) + text[copied:] if out else text


def _emails(text: str) -> str:
    return _EMAIL.sub(PLACEHOLDERS["email"], text)


def _accounts(text: str) -> str:
    if "/" in text or "=" in text:
        text = _ACCOUNT_VALUE.sub(_replace_account_value, f" {text}")[1:]
    return _ACCOUNT_ID.sub(_replace_account_id, text) if "_" in text else text


def _tokens(text: str) -> str:
    if "=" in text:
        text = _SESSION.sub(_replace_session, text)
    return _TOKEN.sub(_replace_token, text)


def _may_hold_address(text: str, _: int) -> bool:
    return text.count(".") >= 3 or text.count(":") >= 2  # IPv4 or IPv6


# Each kind with what a text needs to hold one (given the text and its number of digits,
# which replacing only lowers), so that most texts skip most patterns.
_REPLACERS: Final[tuple[tuple[str, Callable[[str, int], bool], Callable[[str], str]], ...]] = (
    ("email", lambda text, _: "@" in text, _emails),
    ("ip", _may_hold_address, lambda text: _IP.sub(_replace_address, text)),
    ("id", lambda _, digits: digits > 0, _accounts),
    ("token", lambda _, __: True, _tokens),
    (
        "card",
        lambda _, digits: digits >= _CARD_DIGITS.start,
        lambda text: _CARD_RUN.sub(_replace_cards, text),
    ),
    (
        "phone",
        lambda _, digits: digits >= _PHONE_DIGITS.start,
        _phones,
    ),
    (
        "iin",
        lambda _, digits: digits >= _IIN_DIGITS.start,
        lambda text: _IIN_RUN.sub(lambda match: _iin_spans(match.group()), text),
    ),
)


def redact_personal_data(text: str) -> tuple[str, frozenset[str]]:
    """`text` in canonical form with every finding replaced by its placeholder, and the
    kinds found.

    Replacing one finding can change the surroundings of another, and canonical form
    can reveal more escapes to decode, so passes repeat until one changes nothing:
    the result is canonical and has no findings by construction.
    """
    found: set[str] = set()
    while True:
        canonical = canonical_text(text)
        if canonical != text:
            text = canonical
            continue
        if not _MAY_HOLD_FINDING.search(text):
            return text, frozenset(found)
        replaced = text
        digits = sum(map(text.count, _DIGITS))
        for kind, may_hold, replace in _REPLACERS:
            if not may_hold(replaced, digits):
                continue
            result = replace(replaced)
            if result != replaced:
                found.add(kind)
                replaced = result
        if replaced == text:
            return text, frozenset(found)
        text = replaced


def find_personal_data(text: str) -> set[str]:
    """The kinds of personal data in `text`, for checks that block a load which leaked some."""
    return set(redact_personal_data(text)[1])
