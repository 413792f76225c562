"""Free text (search queries, listing titles, URLs) kept without what identifies a person.

The patterns live in `privacy.detect`, so what is scrubbed here is exactly what
the data-quality checks look for afterwards: contact and ID numbers, addresses,
account ids and tokens become placeholders, in every free text alike. URLs also
lose their user-info, port, fragment and every parameter not on the allow-list.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from privacy.detect import canonical_text, redact_personal_data

# Query parameters that marketing and browsing statistics need; every other parameter
# (q=, email=, phone=, ...) is dropped. Their values are free text and scrubbed like any.
KEPT_URL_PARAMETERS: Final = frozenset({"category", "district", "lang", "page"})
_UTM_PARAMETER: Final = re.compile(r"utm_[a-z_]+")
# Characters left unencoded in a path segment (RFC 3986 pchar), plus the placeholders' <>.
_PATH_SAFE: Final = "!$&'()*+,;=:@<>"
# Left unencoded when a URL is re-encoded whole, so that it keeps its structure.
_URL_SAFE: Final = _PATH_SAFE + "/?[]"


def normalize_query(text: str) -> str:
    """One spelling per query: canonical (`privacy.detect.canonical_text`: decoded, no
    invisible characters, NFKC, ASCII digits), case-folded, whitespace collapsed, stripped.

    So "Отели  Алматы" and "отели алматы" count as the same search. Case folding can
    leave text that is not canonical ("İ" folds to "i" and a combining dot), so this
    repeats until the text is canonical and folded.
    """
    while True:
        text = " ".join(canonical_text(canonical_text(text).casefold()).split())
        if text.casefold() == text and canonical_text(text) == text:
            return text


def scrub_text(text: str) -> str:
    """`text` in canonical form with every finding of `privacy.detect` (e-mails, IP
    addresses, account ids, tokens, cards, phones, IINs) replaced by its placeholder.

    Everything else stays as typed, so prices, dates and guest counts remain useful
    to analysts.
    """
    return redact_personal_data(text)[0]


def scrub_query(text: str) -> str:
    """A search query as the warehouse keeps it: normalized, then scrubbed.

    Normalizing first means that what it folds (case, spacing) cannot change what
    scrubbing finds; the placeholders are lower-case and replace no whitespace, so
    the result is still normalized.
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
    """One path segment, decoded (until no escape is left), scrubbed, re-encoded."""
    return quote(scrub_text(segment), safe=_PATH_SAFE)


@lru_cache(maxsize=_PARTS_REMEMBERED)
def _has_findings(url: str) -> bool:
    """Whether the assembled URL still holds personal data: many distinct URLs differ only
    in parameters that are dropped (a phone, an e-mail, a search) and assemble to the same.
    """
    return bool(redact_personal_data(url)[1])


def _scrub_parameter(name: str, value: str) -> tuple[str, str]:
    """A kept parameter's value, scrubbed beside its name (`utm_token=...` is a token's)."""
    return name, scrub_text(f"{name}={value}").partition("=")[2]


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

    The assembled URL is checked whole, as the data-quality checks will read it
    (decoded): a finding can span segments ("/user/1842", "/8/701/234/56/78") or
    parts. Then the path is scrubbed whole instead ("%2F" becomes "/"), then the
    parameters are dropped too, and if even that is not enough, the whole URL is
    scrubbed and re-encoded: clean by construction.
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
    kept = [
        _scrub_parameter(name.lower(), value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if _is_kept_parameter(name.lower())
    ]
    query = urlencode(kept, quote_via=quote, safe="<>")
    path = "/".join(_scrub_path_segment(segment) for segment in parts.path.split("/"))
    scrubbed = urlunsplit((parts.scheme, host, path, query, ""))
    if not _has_findings(scrubbed):
        return scrubbed
    path = quote(scrub_text(parts.path), safe=_PATH_SAFE + "/")
    for parameters in (query, ""):
        scrubbed = urlunsplit((parts.scheme, host, path, parameters, ""))
        if not _has_findings(scrubbed):
            return scrubbed
    return quote(scrub_text(scrubbed), safe=_URL_SAFE)
