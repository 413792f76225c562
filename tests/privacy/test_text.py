from __future__ import annotations

import pytest

from privacy.text import normalize_query, scrub_query, scrub_text, scrub_url


def full_width(text: str) -> str:
    """`text` in full-width forms, as some phone keyboards type it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Отели   АЛМАТЫ\t\n", "отели алматы"),
        ("Straße", "strasse"),
        (full_width("KOK-TOBE"), "kok-tobe"),
        ("Шымбулак\u00a02024", "шымбулак 2024"),
        ("", ""),
    ],
)
def test_normalize_query(text: str, expected: str) -> None:
    assert normalize_query(text) == expected


@pytest.mark.parametrize(
    "phone",
    [
        "+7 701 234 56 78",
        "8(701)234-56-78",
        "8 (701) 234-56-78",
        "87012345678",
        "+77012345678",
        "+7 (727) 123-45-67",
        "701 234 56 78",
        "+44 20 7946 0958",
        "+1-202-555-0173",
    ],
)
def test_phones_become_placeholders(phone: str) -> None:
    assert scrub_text(f"позвоните {phone}, спасибо") == "позвоните <phone>, спасибо"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("иин 900101300123", "иин <iin>"),
        ("иин900101300123", "иин<iin>"),
        ("БИН: 120340012345.", "БИН: <iin>."),
        ("карта 4111 1111 1111 1111", "карта <card>"),
        ("4111-1111-1111-1111", "<card>"),
        ("5500005555555559", "<card>"),
        ("amex 3782 822463 10005", "amex <card>"),
        ("2 4111 1111 1111 1111", "2 <card>"),
        ("write to Ivan.Petrov+hotel@mail.kz!", "write to <email>!"),
        ("асем@почта.рф", "<email>"),
        ("from 95.56.12.7", "from <ip>"),
        ("+7 701 234 56 78 2 взрослых", "<phone> 2 взрослых"),
    ],
)
def test_personal_data_becomes_placeholders(text: str, expected: str) -> None:
    assert scrub_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "50000",
        "отели от 20 000 тг",
        "до 1 500 000 тенге",
        "заезд 2025-12-31",
        "31.12.2025 - 05.01.2026",
        "2 adults, 1 child",
        "Shymbulak 2024",
        "дом 12/3, кв. 45",
        "код A7X-42",
        "10:15-18:00",
        "4111 1111 1111 1112",  # 16 digits but not Luhn-valid: no card
        "version 1.2.3",
        "95.56.12.0/24",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert scrub_text(text) == text


def test_full_width_forms_cannot_hide_personal_data() -> None:
    assert scrub_text(full_width("87012345678 ivan@mail.kz")) == "<phone> <email>"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  Отель  МЕДЕУ  8 701 234 56 78 ", "отель медеу <phone>"),
        ("ME@MAIL.KZ", "<email>"),
        ("Иин900101300123", "иин<iin>"),
        ("8   701   234   56   78", "<phone>"),  # spacing scrub_text alone would not join
        ("аренда авто от 20 000 тг", "аренда авто от 20 000 тг"),
    ],
)
def test_scrub_query_normalizes_and_keeps_placeholders_intact(query: str, expected: str) -> None:
    assert scrub_query(query) == expected
    assert normalize_query(scrub_query(query)) == scrub_query(query)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://User:pw@VisitAlmaty.KZ:8443/search?q=hotel+87012345678&utm_source=ig"
            "&utm_term=%2B77012345678&page=2&Category=hotels&email=a%40b.kz#top",
            "https://visitalmaty.kz/search?utm_source=ig&utm_term=<phone>&page=2&category=hotels",
        ),
        (
            "https://visitalmaty.kz/profile/me%40mail.kz/call/8-701-234-56-78/",
            "https://visitalmaty.kz/profile/<email>/call/<phone>/",
        ),
        (
            "https://visitalmaty.kz/%D0%BE%D1%82%D0%B5%D0%BB%D0%B8/a%2Fb?district=Medeu&lang=ru",
            "https://visitalmaty.kz/%D0%BE%D1%82%D0%B5%D0%BB%D0%B8/a%2Fb?district=Medeu&lang=ru",
        ),
        ("http://95.56.12.7:8080/admin", "http://<ip>/admin"),
        ("http://[2a00:1fa0:42::1]/", "http://<ip>/"),
        ("http://[::]/", "http://[::]/"),
        ("https://visitalmaty.kz/x?page=a%201234567890", "https://visitalmaty.kz/x?page=a%<iin>"),
        ("https://visitalmaty.kz", "https://visitalmaty.kz"),
        (
            "visitalmaty://listing/lst_17?utm_campaign=spring",
            "visitalmaty://listing/lst_17?utm_campaign=spring",
        ),
        (
            "https://visitalmaty.kz/?utm_x=1&utm_2=ok&utmsource=no",
            "https://visitalmaty.kz/?utm_x=1",
        ),
    ],
)
def test_scrub_url_keeps_only_what_analysts_need(url: str, expected: str) -> None:
    assert scrub_url(url) == expected


@pytest.mark.parametrize(
    "not_a_url",
    [None, "", "not a url", "/search?q=1", "visitalmaty.kz/search", "mailto:a@b.kz", "http://[::1"],
)
def test_scrub_url_returns_none_for_what_is_not_a_url(not_a_url: str | None) -> None:
    assert scrub_url(not_a_url) is None
