from __future__ import annotations

import random
from urllib.parse import quote

import pytest

from privacy.detect import KINDS, PLACEHOLDERS, find_personal_data, redact_personal_data
from privacy.text import normalize_query, scrub_query, scrub_text, scrub_url


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("from 95.56.12.7", {"ip"}),
        ("95.56.12.7:443", {"ip"}),
        ("2a00:1fa0:42::1", {"ip"}),
        ("[2a00:1fa0:42::1]:443", {"ip"}),
        ("::ffff:1.2.3.4", {"ip"}),
        ("::1", {"ip"}),
        ("95.56.12.7/24", {"ip"}),  # host bits set: an address with a prefix
        ("95.56.12.0/32", {"ip"}),  # a single host
        ("2a00:1fa0:42:7::/64", {"ip"}),  # finer than the /48 the warehouse keeps
        ("ivan@mail.kz", {"email"}),
        ("+7 701 234 56 78", {"phone"}),
        ("иин900101300123", {"iin"}),
        ("4111 1111 1111 1111", {"card"}),
        ("a@b.kz 87012345678 5500005555555559 10.0.0.1", {"email", "phone", "card", "ip"}),
    ],
)
def test_findings(text: str, kinds: set[str]) -> None:
    assert find_personal_data(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "95.56.12.0/24",
        "2a00:1fa0:42::/48",
        "95.56.0.0/16",
        "network 2a00:1fa0::/32, 10.0.0.0/8",
        "отели от 20 000 тг на 2025-12-31 для 2 adults",
        "заезд 31.12.2025 в 14:00, выезд 02.01.2026 12:00",
        "2026-03-01T10:15:00.123+05:00",
        "Chrome/124.0.6367.82",
        "",
        " ".join(PLACEHOLDERS.values()),
    ],
)
def test_no_findings(text: str) -> None:
    assert find_personal_data(text) == set()


def test_redact_reports_what_it_replaced() -> None:
    assert redact_personal_data("call 87012345678 or a@b.kz") == (
        "call <phone> or <email>",
        frozenset({"phone", "email"}),
    )
    assert set(PLACEHOLDERS) == set(KINDS)


def _luhn_complete(rng: random.Random, length: int) -> str:
    """A random Luhn-valid number of `length` digits."""
    while True:
        digits = "4" + "".join(rng.choice("0123456789") for _ in range(length - 1))
        total = sum(
            (int(c) * 2 - 9 if int(c) > 4 else int(c) * 2) if i % 2 else int(c)
            for i, c in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return digits


def _personal_value(rng: random.Random) -> str:
    """One piece of personal data in one of the forms people type."""
    n = "7" + "".join(rng.choice("0123456789") for _ in range(9))
    card = _luhn_complete(rng, 16)
    octets = [str(rng.randrange(256)) for _ in range(4)]
    return rng.choice(
        [
            f"+7 {n[:3]} {n[3:6]} {n[6:8]} {n[8:]}",
            f"8({n[:3]}){n[3:6]}-{n[6:8]}-{n[8:]}",
            f"8{n}",
            f"+7{n}",
            f"+44 20 {n[:4]} {n[4:8]}",
            n,
            "".join(rng.choice("0123456789") for _ in range(12)),
            rng.choice(["", " ", "-"]).join(card[i : i + 4] for i in range(0, 16, 4)),
            f"{rng.choice(['ivan.petrov', 'a+b', 'Асем'])}@{rng.choice(['mail.kz', 'почта.рф'])}",
            ".".join(octets),
            f"2a00:1fa0:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}",
            f"::ffff:{'.'.join(octets)}",
        ]
    )


NOISE = [
    "отели", "2 adults", "от 20 000 тг", "2025-12-31", "31.12.2025", "14:00", " ", "  ", "-",
    "(", ")", ":", "::", "@", ".", "+", "7", "8", "0", "12", "2024", "иин", "\u00a0",
    "\uff11", "\uff20", "\uff46",  # full-width 1, @, f
    "/24", "/48", "\u0338", ",", "<", ">", "phone", "a",
]  # fmt: skip


def test_scrubbed_text_never_has_findings_and_planted_values_are_gone() -> None:
    rng = random.Random(20260301)
    for _ in range(3000):
        parts = [
            _personal_value(rng) if rng.random() < 0.4 else rng.choice(NOISE)
            for _ in range(rng.randrange(1, 7))
        ]
        separator = rng.choice(["", " "])
        text = separator.join(parts)
        scrubbed, query = scrub_text(text), scrub_query(text)
        assert find_personal_data(scrubbed) == set(), (text, scrubbed)
        assert find_personal_data(query) == set(), (text, query)
        assert normalize_query(query) == query, (text, query)
        if separator:  # glued to other digits, a number is ambiguous; apart, it must go
            for part in parts:
                if part not in NOISE:
                    assert part.lstrip("+") not in scrubbed, (text, scrubbed)


def test_scrubbed_urls_never_have_findings() -> None:
    # Percent-encoding can glue hex digits of an escape to typed digits ("a%201234567890").
    rng = random.Random(20260302)

    def typed() -> str:
        parts = [
            _personal_value(rng) if rng.random() < 0.4 else rng.choice([*NOISE, "1234567890"])
            for _ in range(rng.randrange(1, 4))
        ]
        return quote(rng.choice(["", " "]).join(parts), safe=rng.choice(["", "@:+"]))

    for _ in range(1000):
        host = rng.choice(["visitalmaty.kz", "95.56.12.7", "[2a00:1fa0:42::1]:8443"])
        path = "/".join(typed() for _ in range(rng.randrange(3)))
        query = "&".join(
            f"{rng.choice(['utm_term', 'q', 'page', 'district'])}={typed()}"
            for _ in range(rng.randrange(3))
        )
        url = f"https://{host}/{path}?{query}"
        scrubbed = scrub_url(url)
        assert scrubbed is not None
        assert find_personal_data(scrubbed) == set(), (url, scrubbed)
