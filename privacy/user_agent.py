"""The raw User-Agent header becomes a few coarse facts; the string itself is dropped.

A full User-Agent string, with its exact versions and device model, goes a long
way towards fingerprinting a visitor. Browser family and major version, OS
family and a device class are what the dashboards need.

Browser and OS come from ua-parser. On top of it, a small heuristic decides
what ua-parser does not say directly:

- bot: ua-parser's device family "Spider", or in the string a word ending in
  "bot" (not the phone brand Cubot), "crawl", "spider" or "headless", or a
  scripted HTTP client (curl, Wget, python-requests, python-urllib, Go-http-client);
- tablet: "iPad", "Tablet", Kindle/Silk, or Android without "Mobile" (Android
  phones' browsers say "Mobile"; the site's Android app, whose UA is Dalvik's,
  does not, and counts as mobile);
- mobile: iOS or Android otherwise, or a "Mobi"/"iPhone"/"iPod"/"Windows Phone"
  token; this covers the apps' `VisitAlmaty/4.2.0 (iPhone; ...)` UAs;
- desktop: a desktop OS (Windows, macOS, Linux, Chrome OS and a few more).

Known limit: iPads in Safari's default "desktop site" mode send a Mac UA and
count as desktop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

import ua_parser

DeviceClass = Literal["desktop", "mobile", "tablet", "bot", "unknown"]

# Matched against the lower-cased string (faster than re.IGNORECASE).
_BOT: Final = re.compile(
    r"(?<!cu)bot\b|crawl|spider|headless"
    r"|^(?:curl|wget|python-requests|python-urllib|go-http-client)/"
)
_TABLET: Final = re.compile(r"iPad|Tablet|Kindle|Silk/")
_PHONE: Final = re.compile(r"Mobi|iPhone|iPod|Windows Phone")
_MOBILE_OS: Final = frozenset({"iOS", "Android"})
_DESKTOP_OS: Final = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD"}
)


@dataclass(frozen=True, slots=True)
class UserAgentInfo:
    """What the warehouse keeps of a User-Agent header."""

    browser_family: str
    browser_major: str | None
    os_family: str
    device_class: DeviceClass
    is_bot: bool


UNKNOWN: Final = UserAgentInfo("Other", None, "Other", "unknown", False)


def _device_class(user_agent: str, os_family: str, is_bot: bool) -> DeviceClass:
    """The heuristic of the module docstring, in its order."""
    if is_bot:
        return "bot"
    if _TABLET.search(user_agent) or (
        os_family == "Android"
        and not _PHONE.search(user_agent)
        and not user_agent.startswith("Dalvik/")  # the site's Android app
    ):
        return "tablet"
    if os_family in _MOBILE_OS or _PHONE.search(user_agent):
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "unknown"


@cache
def _parser() -> ua_parser.Parser:
    """ua-parser's fastest resolver without its cache, built once on first use.

    Values arrive distinct, so a cache would only cost time and hold raw strings.
    """
    return ua_parser.Parser(ua_parser.BestAvailableResolver(ua_parser.load_lazy_builtins()))


def describe_user_agent(user_agent: str | None) -> UserAgentInfo:
    """Browser, OS and device class of a User-Agent header; `UNKNOWN` when it is missing."""
    if user_agent is None or not user_agent.strip():
        return UNKNOWN
    parsed = _parser().parse(user_agent).with_defaults()
    is_bot = parsed.device.family == "Spider" or _BOT.search(user_agent.lower()) is not None
    return UserAgentInfo(
        browser_family=parsed.user_agent.family,
        browser_major=parsed.user_agent.major,
        os_family=parsed.os.family,
        device_class=_device_class(user_agent, parsed.os.family, is_bot),
        is_bot=is_bot,
    )
