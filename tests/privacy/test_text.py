"""Free text as the warehouse keeps it: queries normalized and scrubbed, titles scrubbed,
URLs reduced to what analysts need, with identifiers gone from paths and kept parameters."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from privacy.detect import find_personal_data
from privacy.text import KEPT_URL_PARAMETERS, normalize_query, scrub_query, scrub_text, scrub_url


def full_width(text: str) -> str:
    """`text` in full-width forms, as some phone keyboards type it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def encoded(text: str, times: int) -> str:
    for _ in range(times):
        text = quote(text, safe="")
    return text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Отели   АЛМАТЫ\t\n", "отели алматы"),
        ("Straße", "strasse"),
        (full_width("KOK-TOBE"), "kok-tobe"),
        ("Шымбулак\u00a02024", "шымбулак 2024"),
        ("Шымбулак\u200b\u00ad", "шымбулак"),  # zero-width space, soft hyphen
        ("отели \u200b алматы", "отели алматы"),
        ("İstanbul", "istanbul"),  # folds to "i" and a combining dot, which goes
        ("\u0662\u0660\u0662\u0664", "2024"),  # Arabic-Indic digits
        ("%D0%BE%D1%82%D0%B5%D0%BB%D1%8C", "отель"),
        ("", ""),
    ],
)
def test_normalize_query(text: str, expected: str) -> None:
    assert normalize_query(text) == expected
    assert normalize_query(expected) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("иин 900101300123", "иин <iin>"),
        ("иин900101300123", "иин<iin>"),
        ("БИН: 120340012345.", "БИН: <iin>."),
        ("иин 9001 0130 0123", "иин <iin>"),
        ("карта 4111 1111 1111 1111", "карта <card>"),
        ("4111-1111-1111-1111", "<card>"),
        ("4111 11 11111 11111", "<card>"),
        ("5500005555555559", "<card>"),
        ("amex 3782 822463 10005", "amex <card>"),
        ("2 4111 1111 1111 1111", "2 <card>"),
        ("write to Ivan.Petrov+hotel@mail.kz!", "write to <email>!"),
        ("асем@почта.рф", "<email>"),
        ("ivan%40mail.kz", "<email>"),
        ("from 95.56.12.7", "from <ip>"),
        ("+7 701 234 56 78 2 взрослых", "<phone> 2 взрослых"),
        ("хозяин u_1842, звоните", "хозяин <id>, звоните"),
        ("Шале, бронь 123e4567-e89b-12d3-a456-426614174000", "Шале, бронь <token>"),
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
        "от 75 000 до 85 000 тг",
        "75 000 - 85 000 тг",
        "заезд 2025-12-31",
        "31.12.2025 - 05.01.2026",
        "2 adults, 1 child",
        "Shymbulak 2024",
        "дом 12/3, кв. 45",
        "код A7X-42",
        "10:15-18:00",
        "4111111111111112",  # 16 digits but not Luhn-valid: no card
        "version 1.2.3",
        "95.56.12.0/24",
        "Chalet lst_10234",
        "Кафе «Тулпар»",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert scrub_text(text) == text


def test_full_width_forms_cannot_hide_personal_data() -> None:
    assert scrub_text(full_width("87012345678 ivan@mail.kz u_1842")) == "<phone> <email> <id>"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  Отель  МЕДЕУ  8 701 234 56 78 ", "отель медеу <phone>"),
        ("ME@MAIL.KZ", "<email>"),
        ("Иин900101300123", "иин<iin>"),
        ("8   701   234   56   78", "<phone>"),  # spacing scrub_text alone would not join
        ("8\u200b701\u200b234\u200b56\u200b78", "<phone>"),
        ("аренда авто от 20 000 тг", "аренда авто от 20 000 тг"),
        ("отель U_1842", "отель <id>"),
        ("%2B7%20701%20234%2056%2078", "<phone>"),
    ],
)
def test_scrub_query_normalizes_and_keeps_placeholders_intact(query: str, expected: str) -> None:
    assert scrub_query(query) == expected
    assert normalize_query(scrub_query(query)) == scrub_query(query)
    assert scrub_query(scrub_query(query)) == scrub_query(query)


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
        (
            "https://visitalmaty.kz/x?page=a%201234567890",
            "https://visitalmaty.kz/x?page=a%201234567890",
        ),
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
    ("path", "expected"),
    [
        ("/user/u_1842/bookings", "/user/<id>/bookings"),
        ("/user/1842/bookings", "/user/<id>/bookings"),
        ("/users/a81f3c9/", "/users/<id>/"),
        ("/ru/profile/1842", "/ru/profile/<id>"),
        ("/account/1842/settings", "/account/<id>/settings"),
        ("/id/77", "/id/<id>"),
        ("/user%2F1842", "/user%2F<id>"),
        ("/ru/bookings/u_1842", "/ru/bookings/<id>"),
        ("/reset/3f9a0c2e7b4d1f6a8c5e9d0b1a2c3e4f", "/reset/<token>"),
        ("/b/123e4567-e89b-12d3-a456-426614174000/pay", "/b/<token>/pay"),
        (
            "/confirm/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzE4NDIifQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9Pl",
            "/confirm/<token>",
        ),
        ("/cart;jsessionid=0AB12CD34EF56", "/cart;jsessionid=<token>"),
        ("/cart;sid=el4ukv0kqbvoirg7nkp4dncpk3/next", "/cart;sid=<token>/next"),
        ("/call/8/701/234/56/78", "/call/<phone>"),  # a phone across segments
        ("/mail/ivan%2540mail.kz", "/mail/<email>"),  # encoded twice
        ("/p/%252B7%2520701%2520234%252056%252078", "/p/<phone>"),
        # what analysts need stays
        ("/ru/listing/lst_10234", "/ru/listing/lst_10234"),
        ("/account/listings/lst_10234/promote", "/account/listings/lst_10234/promote"),
        ("/account/settings", "/account/settings"),
        ("/ru/blog/almaty-in-winter-2024", "/ru/blog/almaty-in-winter-2024"),
        ("/ru/hotels/page/2", "/ru/hotels/page/2"),
        ("/ru/tours/charyn-canyon", "/ru/tours/charyn-canyon"),
        ("/events/2025/12/31", "/events/2025/12/31"),
        ("/static/app.3f9a0c2e.js", "/static/app.3f9a0c2e.js"),
    ],
)
def test_identifiers_leave_paths_and_the_rest_of_the_path_stays(path: str, expected: str) -> None:
    assert scrub_url(f"https://visitalmaty.kz{path}") == f"https://visitalmaty.kz{expected}"


@pytest.mark.parametrize("name", sorted(KEPT_URL_PARAMETERS | {"utm_term", "utm_campaign"}))
def test_kept_parameters_are_free_text_and_scrubbed(name: str) -> None:
    values = {
        "u_1842": "<id>",
        "8 701 234 56 78": "<phone>",
        "ivan@mail.kz": "<email>",
        "3f9a0c2e7b4d1f6a8c5e9d0b": "<token>",
        "123e4567-e89b-12d3-a456-426614174000": "<token>",
        "user/1842": "user/<id>",
    }
    for value, placeholder in values.items():
        for times in (1, 2, 3):  # as sent, and encoded once or twice more
            url = f"https://visitalmaty.kz/ru?{name}={encoded(value, times)}&x=1"
            assert (
                scrub_url(url)
                == f"https://visitalmaty.kz/ru?{name}={quote(placeholder, safe='<>')}"
            )
    for value in ("2", "hotels", "Medeu", "ru", "almaty_hotels", "winter2024_promo_v2"):
        url = f"https://visitalmaty.kz/ru?{name}={value}"
        assert scrub_url(url) == url


def test_scrubbed_urls_are_clean_and_stay_as_they_are() -> None:
    for url in (
        "https://visitalmaty.kz/user/12345/a%2Fb",
        "https://8.701.234.56/78",  # a phone across host and path: scrubbed whole
        "https://visitalmaty.kz/%25ZZ/%FF",
        "https://visitalmaty.kz/q/100%25?utm_term=50%25",
    ):
        scrubbed = scrub_url(url)
        assert scrubbed is not None
        assert find_personal_data(scrubbed) == set(), scrubbed
        assert scrub_url(scrubbed) == scrubbed


@pytest.mark.parametrize(
    "not_a_url",
    [None, "", "not a url", "/search?q=1", "visitalmaty.kz/search", "mailto:a@b.kz", "http://[::1"],
)
def test_scrub_url_returns_none_for_what_is_not_a_url(not_a_url: str | None) -> None:
    assert scrub_url(not_a_url) is None
