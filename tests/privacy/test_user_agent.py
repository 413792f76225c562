from __future__ import annotations

import dataclasses

import pytest
import ua_parser

from landing.vocabulary import ANDROID_APP_USER_AGENTS, BOTS, IOS_APP_USER_AGENTS, WEB_USER_AGENTS
from privacy.user_agent import (
    DEVICE_CLASSES,
    UNKNOWN,
    UserAgentInfo,
    _families,
    _known_families,
    browser_families,
    describe_user_agent,
    os_families,
)

CASES = {
    "chrome_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        UserAgentInfo("Chrome", "124", "Windows", "desktop", False),
    ),
    "safari_macos": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        UserAgentInfo("Safari", "17", "Mac OS X", "desktop", False),
    ),
    "safari_iphone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        UserAgentInfo("Mobile Safari", "17", "iOS", "mobile", False),
    ),
    "chrome_android_phone": (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
        UserAgentInfo("Chrome Mobile", "124", "Android", "mobile", False),
    ),
    "chrome_android_tablet": (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Safari/537.36",
        UserAgentInfo("Chrome", "124", "Android", "tablet", False),
    ),
    "firefox_android_tablet": (
        "Mozilla/5.0 (Android 13; Tablet; rv:126.0) Gecko/126.0 Firefox/126.0",
        UserAgentInfo("Firefox Mobile", "126", "Android", "tablet", False),
    ),
    "safari_ipad": (
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
        UserAgentInfo("Mobile Safari", "17", "iOS", "tablet", False),
    ),
    "firefox_linux": (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        UserAgentInfo("Firefox", "125", "Ubuntu", "desktop", False),
    ),
    "edge_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        UserAgentInfo("Edge", "124", "Windows", "desktop", False),
    ),
    "yandex_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
        UserAgentInfo("Yandex Browser", "24", "Windows", "desktop", False),
    ),
    "yandex_android_phone": (
        "Mozilla/5.0 (Linux; Android 12; 2201117TY) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 YaBrowser/24.4.1.95.00 SA/3 Mobile Safari/537.36",
        UserAgentInfo("Yandex Browser", "24", "Android", "mobile", False),
    ),
    "cubot_phone_is_no_bot": (
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        UserAgentInfo("Chrome Mobile", "124", "Android", "mobile", False),
    ),
    "app_ios": (
        "VisitAlmaty/4.2.0 (iPhone; iOS 17.5; Scale/3.00)",
        UserAgentInfo("Mobile Safari UI/WKWebView", None, "iOS", "mobile", False),
    ),
    "app_ipad": (
        "VisitAlmaty/4.2.0 (iPad; iOS 17.5; Scale/2.00)",
        UserAgentInfo("Mobile Safari UI/WKWebView", None, "iOS", "tablet", False),
    ),
    "app_android": (
        "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)",
        UserAgentInfo("Android", "14", "Android", "mobile", False),
    ),
    "googlebot": (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        UserAgentInfo("Googlebot", "2", "Other", "bot", True),
    ),
    "googlebot_smartphone": (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        UserAgentInfo("Googlebot", "2", "Android", "bot", True),
    ),
    "yandexbot": (
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        UserAgentInfo("YandexBot", "3", "Other", "bot", True),
    ),
    "bingbot": (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        UserAgentInfo("bingbot", "2", "Other", "bot", True),
    ),
    "ahrefsbot": (
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        UserAgentInfo("AhrefsBot", "7", "Other", "bot", True),
    ),
    "headless_chrome": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/124.0.0.0 Safari/537.36",
        UserAgentInfo("HeadlessChrome", "124", "Linux", "bot", True),
    ),
    "opera_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0",
        UserAgentInfo("Opera", "110", "Windows", "desktop", False),
    ),
    "samsung_internet": (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A546E) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        UserAgentInfo("Samsung Internet", "25", "Android", "mobile", False),
    ),
    "curl": ("curl/8.5.0", UserAgentInfo("curl", "8", "Other", "bot", True)),
    "unparseable": ("Ǝ weird client", UserAgentInfo("Other", None, "Other", "unknown", False)),
}


@pytest.mark.parametrize(("user_agent", "expected"), CASES.values(), ids=CASES.keys())
def test_describe_user_agent(user_agent: str, expected: UserAgentInfo) -> None:
    assert describe_user_agent(user_agent) == expected


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_missing_user_agent_is_unknown(missing: str | None) -> None:
    assert describe_user_agent(missing) == UNKNOWN
    assert UserAgentInfo("Other", None, "Other", "unknown", False) == UNKNOWN


def test_the_raw_string_is_not_kept() -> None:
    info = describe_user_agent(CASES["app_android"][0])
    assert [field.name for field in dataclasses.fields(info)] == [
        "browser_family",
        "browser_major",
        "os_family",
        "device_class",
        "is_bot",
    ]
    assert "SM-S918B" not in repr(info)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.is_bot = True  # type: ignore[misc]


# Strings whose captured groups ua-parser would store as the family: (string, what it echoes).
ECHOES = {
    "email_before_cfnetwork": (
        "jane.doe@example.com/1.0 CFNetwork/1410.0.3 Darwin/22.6.0",
        "jane.doe@example.com",
    ),
    "phone_in_a_bot_name": (
        "Mozilla/5.0 (compatible; +77011234567Bot/1.0)",
        "77011234567Bot",
    ),
    "name_and_phone_before_bot": (
        "Mozilla/5.0 (compatible; Jane Doe 87011234567 Bot/2.1)",
        "Jane Doe 87011234567 Bot",
    ),
    "yandex_prefix": ("Yandex_jane_doe_77011234567/1.0", "Yandex_jane_doe_77011234567"),
    "spider_suffix": ("Mozilla/5.0 (compatible; janedoe-spider/1.0)", "janedoe-spider"),
}


@pytest.mark.parametrize(("user_agent", "echoed"), ECHOES.values(), ids=ECHOES.keys())
def test_a_browser_family_echoed_from_the_string_is_other(user_agent: str, echoed: str) -> None:
    assert ua_parser.parse_user_agent(user_agent).family == echoed  # what is at stake
    info = describe_user_agent(user_agent)
    assert info.browser_family == "Other"
    assert echoed not in repr(info)


def test_an_os_family_echoed_from_the_string_is_other() -> None:
    user_agent = "HbbTV/1.1.1 (;JaneDoe;;2015;)"
    assert ua_parser.parse_os(user_agent).family == "JaneDoe"
    assert describe_user_agent(user_agent).os_family == "Other"


def test_a_family_from_a_group_of_literals_is_kept() -> None:
    # `(GeoEvent Server) (\d+)` captures only the text it spells out.
    assert describe_user_agent("GeoEvent Server 1").browser_family == "GeoEvent Server"
    # `arcgis-(collector|aurora)/...` with the fixed family 'Collector for ArcGIS'.
    assert describe_user_agent("arcgis-aurora/10.2.3").browser_family == "Collector for ArcGIS"
    # `(Collector|Explorer|Workforce)-(?:Android|iOS)-...` with '$1 for ArcGIS'.
    assert describe_user_agent("Workforce-iOS-1.2.3").browser_family == "Workforce for ArcGIS"


SAMPLE_USER_AGENTS = sorted(
    {
        agent
        for agents in (WEB_USER_AGENTS, IOS_APP_USER_AGENTS, ANDROID_APP_USER_AGENTS)
        for agent, _ in agents
    }
    | {bot.user_agent for bot in BOTS if bot.user_agent is not None}
)


def test_every_description_is_within_the_published_lists() -> None:
    for user_agent in [*SAMPLE_USER_AGENTS, *(ua for ua, _ in ECHOES.values()), None]:
        info = describe_user_agent(user_agent)
        assert info.browser_family in browser_families()
        assert info.os_family in os_families()
        assert info.device_class in DEVICE_CLASSES


@pytest.mark.parametrize("user_agent", SAMPLE_USER_AGENTS)
def test_the_sample_generators_user_agents_keep_their_families(user_agent: str) -> None:
    parsed = ua_parser.parse(user_agent).with_defaults()
    info = describe_user_agent(user_agent)
    assert (info.browser_family, info.browser_major, info.os_family) == (
        parsed.user_agent.family,
        parsed.user_agent.major,
        parsed.os.family,
    )
    assert info.browser_family != "Other"


@pytest.mark.parametrize(
    ("user_agent", "major"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; rv:999.0) Gecko/20100101 Firefox/999.0", "999"),
        ("Mozilla/5.0 (Windows NT 10.0; rv:1000.0) Gecko/20100101 Firefox/1000.0", None),
        (
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/77011234567.0.0.0 Safari/537.36",
            None,
        ),
        ("FME/2024.1.2.3", None),  # `(FME)\/(\d+\.\d+)`: ua-parser's major is "2024.1"
        ("curl/8.5.0", "8"),
    ],
)
def test_the_major_version_is_at_most_three_digits(user_agent: str, major: str | None) -> None:
    assert describe_user_agent(user_agent).browser_major == major


def test_the_allow_lists_are_built_once_and_hold_the_common_families() -> None:
    assert _known_families() is _known_families()
    browsers, systems = set(browser_families()), set(os_families())
    assert list(browser_families()) == sorted(browsers) == sorted(_known_families()[0])
    assert list(os_families()) == sorted(systems) == sorted(_known_families()[1])
    assert {
        "Chrome",
        "Chrome Mobile",
        "Chrome Mobile iOS",
        "Firefox",
        "Firefox Mobile",
        "Safari",
        "Mobile Safari",
        "Mobile Safari UI/WKWebView",
        "Edge",
        "Opera",
        "Yandex Browser",
        "Samsung Internet",
        "Instagram",
        "Android",
        "Googlebot",
        "YandexBot",
        "bingbot",
        "AhrefsBot",
        "HeadlessChrome",
        "curl",
        "Other",
    } <= browsers
    assert {"Windows", "Mac OS X", "iOS", "Android", "Linux", "Ubuntu", "Other"} <= systems


@pytest.mark.parametrize(
    ("regex", "family", "families"),
    [
        (r"Edg/(\d+)", "Edge", {"Edge"}),
        (r"(Firefox|Minefield)/(\d+)", "$1", {"Firefox", "Minefield"}),
        (r"(Firefox|Minefield)/(\d+)", "$1 Mobile", {"Firefox Mobile", "Minefield Mobile"}),
        (r"(Mobile |)(Safari)/(\d+)", "$1", {"Mobile ", "Mobile", ""}),
        (r"(Boto3?)/(\d+)", "$1", {"Boto", "Boto3"}),
        (r"([Ss]pider)/(\d+)", "$1", {"Spider", "spider"}),
        (r"(Yandex\w{1,30}|bingbot)/(\d+)", "$1", {"bingbot"}),  # the echo is left out
        (r"(Nutch(?:-[a-z]{1,30}|))/(\d+)", "$1", {"Nutch"}),
        (r"(?:\b|^)(Opera(?=/))", "$1", {"Opera"}),
        (r"(.{0,200})/(\d+) CFNetwork", "$1", set()),
        (r"([A-z]+[Bb]ot)/(\d+)", "$1", set()),
        (r"([^ ]+)/(\d+)", "$1", set()),
        (r"(?i)(firefox)/(\d+)", "$1", set()),  # any case: not the text the regex spells
        (r"(?i:(firefox))/(\d+)", "$1", set()),
        (r"(a)(\1)", "$2", set()),
        (r"Foo/(\d+)", "$2", set()),  # no such group
    ],
)
def test_families_are_what_a_matcher_can_give_without_the_string(
    regex: str, family: str, families: set[str]
) -> None:
    assert _families(regex, family) == families
