"""The raw User-Agent header becomes a few coarse facts; the string itself is dropped.

A full User-Agent string, with its exact versions and device model, goes a long
way towards fingerprinting a visitor. Browser family and major version, OS
family and a device class are what the dashboards need.

Browser and OS come from ua-parser, but only as families of its own. Many of its
regexes take the family from a captured group of the string: harmless in
`(GeoEvent Server) (\\d+)`, whose group can only be the text it spells, but others
capture up to 200 characters before `CFNetwork`, or any word before `bot`, so a crafted
User-Agent could put an e-mail address or a phone number there. A family is kept only if
ua-parser's data can give it without the string's help: a fixed replacement, or a group
that matches only a few strings, all written in the regex (`(Firefox|Minefield)`); or it
is one of a few crawlers that ua-parser names only by echoing them (`_CRAWLERS`:
YandexBot, AhrefsBot...). Any other family is "Other"; a bot is still a bot. The major
version is kept only as one to three ASCII digits (no browser is past 999; longer numbers
are build numbers, dates, or whatever digits a crafted string carries), else None.

On top of ua-parser, a small heuristic decides what it does not say directly:

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Any, Final, Literal, get_args

import ua_parser

DeviceClass = Literal["desktop", "mobile", "tablet", "bot", "unknown"]
DEVICE_CLASSES: Final[tuple[DeviceClass, ...]] = get_args(DeviceClass)

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
_MAJOR: Final = re.compile(r"[0-9]{1,3}")
_OTHER: Final = "Other"  # ua-parser's own default family
# A captured group matching more strings than this counts as unbounded: the largest in
# ua-parser's data are case spellings such as `[Ss][Pp][Ii][Dd][Ee][Rr]` (64).
_MAX_GROUP_STRINGS: Final = 1024
_REFERENCE: Final = re.compile(r"\$([0-9])")
# Crawlers that ua-parser names only by echoing the string, through its catch-all patterns
# (`Yandex\w{1,30}`, any word ending in "bot" or "spider"): written out here, they are no
# echo. The sample generator's (YandexBot, AhrefsBot), and big search engines' and AI
# companies' crawlers; any other crawler is "Other", and still a bot.
_CRAWLERS: Final = frozenset(
    {
        "YandexBot",
        "YandexMobileBot",
        "YandexImages",
        "AhrefsBot",
        "Applebot",
        "DuckDuckBot",
        "Baiduspider",
        "PetalBot",
        "DotBot",
        "Amazonbot",
        "ClaudeBot",
        "Bytespider",
    }
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


class _Unbounded(Exception):
    """The strings a piece of regex matches are not few and all written in it."""


def _strings(items: Iterable[tuple[Any, Any]], ignore_case: bool) -> set[str]:
    """Every string a sequence of regex items (`sre_parse` form) matches, if few.

    An alternative of a branch that matches too many is left out: what remains are
    strings written in the regex, which is all a family must be. Raises `_Unbounded` when
    nothing remains.
    """
    result = {""}
    for op, av in items:
        result = {head + tail for head in result for tail in _item_strings(op, av, ignore_case)}
        if len(result) > _MAX_GROUP_STRINGS:
            raise _Unbounded
    return result


def _item_strings(op: Any, av: Any, ignore_case: bool) -> set[str]:
    """`_strings` of one item: a literal, class, group, branch, repeat or zero-width item."""
    c = sre_constants
    if op is c.LITERAL and not ignore_case:
        return {chr(av)}
    if op is c.IN and not ignore_case:
        chars: set[str] = set()
        for member, value in av:
            if member is c.LITERAL:
                chars.add(chr(value))
            elif member is c.RANGE and value[1] - value[0] < _MAX_GROUP_STRINGS:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # a negation, `\d`, `\w`...: no list of its own
                raise _Unbounded
        return chars
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, items = av
        flags = (c.SRE_FLAG_IGNORECASE if ignore_case else 0) | add_flags
        return _strings(items, bool(flags & ~del_flags & c.SRE_FLAG_IGNORECASE))
    if op is c.ATOMIC_GROUP:
        return _strings(av, ignore_case)
    if op is c.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            try:
                found |= _strings(alternative, ignore_case)
            except _Unbounded:
                continue
        if not found or len(found) > _MAX_GROUP_STRINGS:
            raise _Unbounded
        return found
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, items = av
        if high is c.MAXREPEAT:
            raise _Unbounded
        once, repeated, found = _strings(items, ignore_case), {""}, set()
        for count in range(high + 1):
            if count >= low:
                found |= repeated
            repeated = {head + tail for head in repeated for tail in once}
            if len(found) > _MAX_GROUP_STRINGS or len(repeated) > _MAX_GROUP_STRINGS:
                raise _Unbounded
        return found
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # anchors and lookarounds match no text
        return {""}
    raise _Unbounded  # any character, backreferences, conditionals, case-insensitive text


def _group(items: Sequence[tuple[Any, Any]], number: int, ignore_case: bool) -> set[str]:
    """`_strings` of capturing group `number` in parsed regex items."""
    c = sre_constants
    for op, av in items:
        inner: list[tuple[Sequence[tuple[Any, Any]], bool]] = []
        if op is c.SUBPATTERN:
            flags = (c.SRE_FLAG_IGNORECASE if ignore_case else 0) | av[1]
            case = bool(flags & ~av[2] & c.SRE_FLAG_IGNORECASE)
            if av[0] == number:
                return _strings(av[3], case)
            inner = [(av[3], case)]
        elif op is c.BRANCH:
            inner = [(alternative, ignore_case) for alternative in av[1]]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            inner = [(av[2], ignore_case)]
        elif op is c.ATOMIC_GROUP:
            inner = [(av, ignore_case)]
        elif op in (c.ASSERT, c.ASSERT_NOT):
            inner = [(av[1], ignore_case)]
        for sub_items, case in inner:
            try:
                return _group(sub_items, number, case)
            except LookupError:
                continue
    raise LookupError(number)


def _families(regex: str, family: str) -> set[str]:
    """The families one ua-parser matcher can give without echoing the string: its fixed
    replacement, or the replacement with every `$n` filled in from the few strings group n
    matches; none if a group it takes matches more.
    """
    numbers = sorted({int(n) for n in _REFERENCE.findall(family)})
    if not numbers:
        return {family}
    parsed = sre_parse.parse(regex)
    ignore_case = bool(parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE)
    results = {family}
    try:
        for number in numbers:
            values = _group(parsed, number, ignore_case)
            results = {r.replace(f"${number}", value) for r in results for value in values}
    except (_Unbounded, LookupError):
        return set()
    # ua-parser's Python matchers strip OS families but not browser ones: allow both.
    return results | {result.strip() for result in results}


@cache
def _known_families() -> tuple[frozenset[str], frozenset[str]]:
    """(browser, OS) families ua-parser's own data can give, and `_CRAWLERS`: built once
    on first use, from the matchers `_parser` resolves with.
    """
    browsers, systems, _ = ua_parser.load_lazy_builtins()
    return (
        frozenset(_CRAWLERS.union({_OTHER}, *(_families(m.regex, m.family) for m in browsers))),
        frozenset({_OTHER}.union(*(_families(m.regex, m.family) for m in systems))),
    )


def browser_families() -> tuple[str, ...]:
    """Every browser family `describe_user_agent` can give, sorted ("Other" among them)."""
    return tuple(sorted(_known_families()[0]))


def os_families() -> tuple[str, ...]:
    """Every OS family `describe_user_agent` can give, sorted ("Other" among them)."""
    return tuple(sorted(_known_families()[1]))


def _bounded_major(major: str | None) -> str | None:
    """The major version if it is one to three ASCII digits, else None."""
    return major if major is not None and _MAJOR.fullmatch(major) else None


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
    browsers, systems = _known_families()
    browser = parsed.user_agent.family
    os_family = parsed.os.family
    is_bot = parsed.device.family == "Spider" or _BOT.search(user_agent.lower()) is not None
    return UserAgentInfo(
        browser_family=browser if browser in browsers else _OTHER,
        browser_major=_bounded_major(parsed.user_agent.major),
        os_family=os_family if os_family in systems else _OTHER,
        device_class=_device_class(user_agent, os_family, is_bot),
        is_bot=is_bot,
    )
