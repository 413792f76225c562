"""Free text (search queries, URLs) kept without the contact and ID numbers people type.

The patterns live in `privacy.detect`, so what is scrubbed here is exactly what
the data-quality checks look for afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from privacy.detect import redact_personal_data

# Query parameters that carry no personal data and that marketing and browsing
# statistics need; every other parameter (q=, email=, phone=, ...) is dropped.
KEPT_URL_PARAMETERS: Final = frozenset({"category", "district", "lang", "page"})
_UTM_PARAMETER: Final = re.compile(r"utm_[a-z_]+")
# Characters left unencoded in a path segment (RFC 3986 pchar), plus the placeholders' <>.
_PATH_SAFE: Final = "!$&'()*+,;=:@<>"


def normalize_query(text: str) -> str:
    """One spelling per query: NFKC, case-folded, whitespace collapsed and stripped.

    So "Отели  Алматы" and "отели алматы" count as the same search.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def scrub_text(text: str) -> str:
    """`text` with e-mails, IP addresses, phones, cards and IINs replaced by placeholders.

    Everything else stays as typed (after NFKC), so prices, dates and guest counts
    remain useful to analysts.
    """
    return redact_personal_data(text)[0]


def scrub_query(text: str) -> str:
    """A search query as the warehouse keeps it: normalized, then scrubbed.

    Normalizing first means that spacing or full-width digits that scrubbing would
    not recognize cannot turn into a phone number afterwards; the placeholders are
    lower-case and already normalized, so the result is still normalized.
    """
    return scrub_text(normalize_query(text))


# Hosts and path segments repeat across a day's distinct URLs (tens of thousands of URLs
# share a few thousand segments), and so do the URLs once their dropped parameters are
# gone, so their scrubbing is remembered.
_PARTS_REMEMBERED: Final = 65536


@lru_cache(maxsize=_PARTS_REMEMBERED)
def _scrub_host(hostname: str) -> str:
    """The host, scrubbed (an IP host becomes `<ip>`), in brackets if still an IPv6 literal."""
    host = scrub_text(hostname)
    return f"[{host}]" if ":" in host else host  # e.g. "::", which scrubbing leaves alone


@lru_cache(maxsize=_PARTS_REMEMBERED)
def _scrub_path_segment(segment: str) -> str:
    """One path segment, percent-decoded so an encoded e-mail is seen, scrubbed, re-encoded."""
    return quote(scrub_text(unquote(segment, errors="replace")), safe=_PATH_SAFE)


@lru_cache(maxsize=_PARTS_REMEMBERED)
def _scrub_assembled(url: str) -> str:
    """The assembled URL scrubbed as a whole: many distinct URLs differ only in parameters
    that are dropped (a phone, an e-mail, a search), and assemble to the same URL.
    """
    return scrub_text(url)


def _is_kept_parameter(name: str) -> bool:
    """Whether a query parameter is on the allow-list (`utm_*` and KEPT_URL_PARAMETERS)."""
    return name in KEPT_URL_PARAMETERS or _UTM_PARAMETER.fullmatch(name) is not None


def scrub_url(url: str | None) -> str | None:
    """A page URL or referrer without what could identify the visitor; None if not a URL.

    Kept: scheme, host (lower-case, scrubbed: an IP host becomes `<ip>`), the path
    with each segment scrubbed, and only the allow-listed query parameters, their
    values scrubbed. Dropped: `user:password@`, the port (always: it tells
    analysts nothing and a non-default one can point at one person's machine),
    every other parameter, and the fragment. "Not a URL" means no scheme or no host.

    The assembled URL is scrubbed once more: percent-encoding puts hex digits
    next to typed ones ("a 1234567890" becomes "a%201234567890", twelve digits in
    a row), and the stored URL itself must hold nothing `find_personal_data` flags.
    """
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    hostname = parts.hostname  # a property that parses the netloc each time
    if not parts.scheme or not hostname:
        return None
    host = _scrub_host(hostname)
    path = "/".join(_scrub_path_segment(segment) for segment in parts.path.split("/"))
    kept = [
        (name.lower(), scrub_text(value))
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if _is_kept_parameter(name.lower())
    ]
    query = urlencode(kept, quote_via=quote, safe="<>")
    return _scrub_assembled(urlunsplit((parts.scheme, host, path, query, "")))
