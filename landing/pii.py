"""Personal data as people type it: phone numbers, e-mail addresses, IINs and card numbers.

They end up where the warehouse must scrub them: search queries, page URLs, and the
listing owners' contact fields. The IINs and card numbers have valid check digits, so a
scrubber that validates them still has to catch them.
"""

from __future__ import annotations

import numpy as np

from landing.vocabulary import EMAIL_DOMAINS, FIRST_NAMES, KZ_MOBILE_PREFIXES, SURNAMES

_IIN_WEIGHTS = (np.arange(1, 12), np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]))


def phone_numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Kazakh mobile numbers in the ways people write them, and a few foreign ones."""
    prefixes = rng.integers(0, len(KZ_MOBILE_PREFIXES), count)
    digits = rng.integers(0, 10, (count, 7))
    styles = rng.choice(6, size=count, p=[0.35, 0.2, 0.15, 0.15, 0.1, 0.05])
    numbers = []
    for prefix, d, style in zip(prefixes, digits, styles, strict=True):
        code = KZ_MOBILE_PREFIXES[prefix]
        s = "".join(map(str, d))
        numbers.append(
            (
                f"+7 {code} {s[:3]} {s[3:5]} {s[5:]}",
                f"8{code}{s}",
                f"8({code}){s}",
                f"+7 ({code}) {s[:3]}-{s[3:5]}-{s[5:]}",
                f"+7{code}{s}",
                f"+49 15{s[:1]} {s[1:]}{code}",
            )[style]
        )
    return numbers


def email_addresses(rng: np.random.Generator, count: int) -> list[str]:
    """Personal addresses at the mail providers Kazakh users have."""
    weights = np.array([share for _, share in EMAIL_DOMAINS])
    domains = rng.choice(len(EMAIL_DOMAINS), size=count, p=weights / weights.sum())
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(SURNAMES), count)
    styles = rng.integers(0, 3, count)
    years = rng.integers(70, 100, count) % 100
    addresses = []
    for d, f, s, style, year in zip(domains, first, last, styles, years, strict=True):
        local = (
            f"{FIRST_NAMES[f]}.{SURNAMES[s]}",
            f"{FIRST_NAMES[f]}_{year:02d}",
            f"{FIRST_NAMES[f][0]}{SURNAMES[s]}{year:02d}",
        )[style]
        addresses.append(f"{local}@{EMAIL_DOMAINS[d][0]}")
    return addresses


def _iin_check_digit(digits: np.ndarray) -> int:
    for weights in _IIN_WEIGHTS:
        check = int(digits @ weights) % 11
        if check != 10:
            return check
    return -1


def iins(rng: np.random.Generator, count: int) -> list[str]:
    """Kazakh individual identification numbers (birth date, century and sex, serial, check)."""
    numbers: list[str] = []
    while len(numbers) < count:
        year, month, day = rng.integers(50, 106), rng.integers(1, 13), rng.integers(1, 29)
        century_sex = rng.integers(3, 5) if year < 100 else rng.integers(5, 7)
        serial = rng.integers(0, 10, 4)
        body = f"{year % 100:02d}{month:02d}{day:02d}{century_sex}" + "".join(map(str, serial))
        check = _iin_check_digit(np.array([int(c) for c in body]))
        if check >= 0:
            numbers.append(body + str(check))
    return numbers


def _luhn_check_digit(body: str) -> int:
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def card_numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Luhn-valid Visa and Mastercard numbers, grouped in fours or not."""
    numbers = []
    for _ in range(count):
        head = ("4", "51", "53", "55")[rng.integers(0, 4)]
        body = head + "".join(map(str, rng.integers(0, 10, 15 - len(head))))
        number = body + str(_luhn_check_digit(body))
        grouped = rng.random() < 0.5
        numbers.append(" ".join(number[i : i + 4] for i in range(0, 16, 4)) if grouped else number)
    return numbers
