from __future__ import annotations

import dataclasses

import pytest

from privacy.user_agent import UNKNOWN, UserAgentInfo, describe_user_agent

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
