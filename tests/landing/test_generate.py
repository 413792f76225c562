"""The sample landing zone: conformance, the edge cases it promises, consistency, determinism."""

from __future__ import annotations

import gzip
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from almaty.errors import AlmatyError
from landing.contract import (
    APPS,
    BROKEN_JSON,
    CONSENT_SCOPES,
    DAY_PARTITIONED_FEEDS,
    DISTRICTS,
    FEEDS,
    REASONS,
    UNKNOWN_EVENT_TYPE,
    iter_zone_files,
    open_lines,
)
from landing.generate import generate_landing_zone
from landing.pii import card_numbers, iins
from landing.profile import PROFILE
from landing.vocabulary import PROMOTION_PACKAGES, SITE

SWITCH = datetime.fromisoformat("2024-03-01T00:00:00+06:00")
BOT_WORDS = ("Googlebot", "YandexBot", "bingbot", "AhrefsBot", "HeadlessChrome")
SERVER_SIDE = ("booking", "promotion_purchase")
PII_IN_TEXT = re.compile(r"@|\d{10,}")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _is_bot(record: dict[str, Any]) -> bool:
    agent = record["user_agent"]
    return (agent is None and record["ip"].startswith("45.134.26.")) or (
        agent is not None and any(word in agent for word in BOT_WORDS)
    )


def _people(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not _is_bot(r)]


def _first_seen(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One record per id: delivery duplicates removed."""
    seen: dict[str, dict[str, Any]] = {}
    for record in records:
        seen.setdefault(record[key], record)
    return list(seen.values())


def _by_subject(records: list[dict[str, Any]], field: str) -> dict[str, set[Any]]:
    values: dict[str, set[Any]] = defaultdict(set)
    for record in records:
        values[record["anonymous_id"]].add(record.get(field, "absent"))
    return values


# --- conformance and delivery quirks


def test_every_line_conforms_or_is_a_deliberate_malformation(zone, near) -> None:
    allowed = {feed: {BROKEN_JSON} for feed in FEEDS}
    allowed["events"] = set(REASONS)
    allowed["searches"] = set(REASONS) - {UNKNOWN_EVENT_TYPE}
    found: Counter[str] = Counter()
    for line in zone.lines:
        if line.reason is not None:
            assert line.reason in allowed[line.feed], (line.feed, line.reason)
            found[line.reason] += 1
    assert found == {reason: zone.summary.edge_cases[f"malformed_{reason}"] for reason in REASONS}
    events, searches = len(zone.of("events")), len(zone.of("searches"))
    for reason, share in PROFILE.malformed_share.items():
        lines = zone.of("events") + ([] if reason == UNKNOWN_EVENT_TYPE else zone.of("searches"))
        count = sum(line.reason == reason for line in lines)
        near(count / len(lines), share, len(lines))
    assert events > 15_000 and searches > 1_000


def test_partial_writes_are_followed_by_the_full_line(zone) -> None:
    by_file: dict[Path, list] = defaultdict(list)
    for line in zone.lines:
        by_file[line.path].append(line)
    broken = 0
    for lines in by_file.values():
        for position, line in enumerate(lines):
            if line.reason == BROKEN_JSON:
                retry = lines[position + 1]
                assert retry.reason is None and retry.raw.startswith(line.raw)
                broken += 1
    assert broken == zone.summary.edge_cases["malformed_broken_json"]
    privacy = [line for line in zone.lines if line.feed not in DAY_PARTITIONED_FEEDS]
    assert all(line.reason in (None, BROKEN_JSON) for line in privacy)


def test_duplicates_repeat_lines_in_the_same_file_another_file_and_another_day(zone, near) -> None:
    lines = [line for line in zone.lines if line.feed in DAY_PARTITIONED_FEEDS and line.record]
    where: dict[bytes, list] = defaultdict(list)
    for line in lines:
        where[line.raw].append(line)
    copies = sum(len(places) - 1 for places in where.values())
    near(copies / len(lines), PROFILE.duplicate_share, len(lines))
    kinds = set()
    for places in where.values():
        for first in places[:1]:
            for other in places[1:]:
                if other.path == first.path:
                    kinds.add("same_file")
                elif other.day == first.day:
                    kinds.add("other_file")
                else:
                    kinds.add("other_day")
    assert kinds == {"same_file", "other_file", "other_day"}


def test_late_records_and_clock_skew(zone, near) -> None:
    lines = [line for line in zone.of("events") if line.record]
    first: dict[str, Any] = {}
    for line in lines:
        first.setdefault(line.record["event_id"], line)
    early = zone.summary.days // 2  # later late events may arrive after the last day
    start = zone.progress[0][0]
    app_client = late = client = skewed = 0
    for line in first.values():
        record = line.record
        if _is_bot(record) or record["event_type"] in SERVER_SIDE:
            continue
        happened = date.fromisoformat(record["ts"][:10])
        client += 1
        skewed += happened > line.day
        if record["app"] != "web" and happened < start + timedelta(days=early):
            app_client += 1
            late += happened < line.day
    near(late / app_client, PROFILE.late_share, app_client)
    near(skewed / client, PROFILE.clock_skew_share, client)
    assert all(
        _instant(line.record["ts"])
        <= datetime.combine(line.day + timedelta(days=1), datetime.min.time()).replace(
            tzinfo=_instant(line.record["ts"]).tzinfo
        )
        + timedelta(seconds=PROFILE.clock_skew_max_s)
        for line in first.values()
    )


def test_timestamps_carry_almatys_offset_of_the_time_and_utc_only_server_side(zone) -> None:
    offsets: Counter[str] = Counter()
    for feed in ("events", "searches", "accounts", "consent"):
        for record in zone.records(feed):
            ts = record["ts"]
            if ts.endswith("Z"):
                assert feed == "events" and record["event_type"] in SERVER_SIDE
                offsets["Z"] += 1
                continue
            expected = "+06:00" if _instant(ts) < SWITCH else "+05:00"
            assert ts.endswith(expected), ts
            offsets[f"{feed}{expected}"] += 1
    assert {"Z", "events+06:00", "events+05:00", "searches+06:00", "accounts+06:00"} <= set(offsets)
    assert all(r["requested_at"].endswith("Z") for r in zone.records("erasure_requests"))


def test_layout_files_and_compression(zone) -> None:
    files = [path for _, path in iter_zone_files(zone.root)]
    on_disk = [p for p in zone.root.rglob("*") if p.is_file()]
    assert sorted(files) == sorted(on_disk)
    days = {zone.progress[i][0] for i in range(zone.summary.days)}
    for feed in DAY_PARTITIONED_FEEDS:
        folders = {p.parent.name for p in files if p.parts[-3] == feed}
        assert folders == {f"date={day}" for day in days}
        per_day = Counter(p.parent.name for p in files if p.parts[-3] == feed)
        assert min(per_day.values()) >= len(APPS)
    for group in (files, [p for p in files if "privacy" in p.parts]):
        suffixes = {p.name.endswith(".gz") for p in group}
        assert suffixes == {True, False}
    for path in files:
        if path.name.endswith(".gz"):
            header = path.read_bytes()[:10]
            assert header[:2] == b"\x1f\x8b" and header[4:8] == b"\0\0\0\0"  # mtime 0
            gzip.decompress(path.read_bytes())


def test_summary_and_progress_match_what_was_written(zone) -> None:
    summary = zone.summary
    files = [p for p in zone.root.rglob("*") if p.is_file()]
    assert summary.files == len(files)
    assert summary.bytes == sum(p.stat().st_size for p in files)
    assert summary.events == len(zone.of("events"))
    assert summary.searches == len(zone.of("searches"))
    assert [day for day, _ in zone.progress] == [
        date(2024, 2, 25) + timedelta(days=i) for i in range(summary.days)
    ]
    assert sum(events for _, events in zone.progress) == summary.events
    for day, events in zone.progress:
        assert events == sum(line.day == day for line in zone.of("events"))
    present = [name for name, count in summary.edge_cases.items() if count > 0]
    missing = set(summary.edge_cases) - set(present) - {"card_number", "advert_expires_in_range"}
    assert not missing, f"edge cases absent from the sample zone: {sorted(missing)}"


# --- who and where


def test_each_subject_keeps_one_device(zone) -> None:
    events = _people(zone.records("events") + zone.records("searches"))
    for field in ("app", "user_agent", "device_id", "locale", "gpc"):
        assert all(len(v) == 1 for v in _by_subject(events, field).values()), field
    for record in events:  # booleans only: failures must not print identifiers
        device, agent = record["device_id"], record["user_agent"] or ""
        fits = {
            "web": device is None and not agent.startswith(("VisitAlmaty", "Dalvik")),
            "ios": device is not None and device == device.upper() and "VisitAlmaty/" in agent,
            "android": device is not None and device == device.lower() and "Dalvik/" in agent,
        }[record["app"]]
        assert fits, f"an {record['app']} record with another platform's device id or agent"


def test_browser_privacy_signals_and_device_ids(zone, near) -> None:
    people = _people(zone.records("events"))
    web = {
        k: v.pop() for k, v in _by_subject([r for r in people if r["app"] == "web"], "gpc").items()
    }
    near(sum(v is True for v in web.values()) / len(web), PROFILE.gpc_true_share, len(web))
    near(sum(v is False for v in web.values()) / len(web), PROFILE.gpc_false_share, len(web))
    apps = _by_subject([r for r in people if r["app"] != "web"], "device_id")
    zeroed = sum(v == {"00000000-0000-0000-0000-000000000000"} for v in apps.values())
    near(zeroed / len(apps), PROFILE.zeroed_ad_id_share, len(apps))
    assert any(r["user_agent"] is None for r in zone.records("events"))  # privacy tools, scrapers


def test_addresses_proxies_and_ipv6(zone, near) -> None:
    people = _people(zone.records("events"))
    sessions = len(people) / 6  # shares are drawn per session, about six events each
    forwarded = [r for r in people if r["x_forwarded_for"] is not None]
    near(len(forwarded) / len(people), PROFILE.forwarded_share, int(sessions))
    for record in forwarded:
        chain = [entry.strip() for entry in record["x_forwarded_for"].split(",")]
        proxied = len(chain) in (2, 3) and chain[-1] == record["ip"]
        assert proxied, "ip must be the last proxy of the chain"
    assert any(
        re.match(r"^(\[.*\]|[\d.]+):\d+$", r["x_forwarded_for"].split(",")[0]) for r in forwarded
    )
    direct_v4 = [r for r in people if r["x_forwarded_for"] is None and "." in r["ip"]]
    mapped = sum(r["ip"].startswith("::ffff:") for r in direct_v4)
    near(mapped / len(direct_v4), PROFILE.ipv4_mapped_share, int(sessions))
    on_v6 = _by_subject([r for r in people if ":" in r["ip"] and "." not in r["ip"]], "ip")
    subjects = {r["anonymous_id"] for r in people}
    assert (
        0.3 * PROFILE.ipv6_home_share <= len(on_v6) / len(subjects) <= 1.3 * PROFILE.ipv6_home_share
    )


def test_geo_is_sent_by_some_apps_with_and_without_consent(zone, near) -> None:
    people = _people(zone.records("events") + zone.records("searches"))
    assert all(r["geo"] is None for r in people if r["app"] == "web")
    apps = {r["anonymous_id"] for r in people if r["app"] != "web"}
    with_geo = {r["anonymous_id"] for r in people if r["geo"] is not None}
    near(len(with_geo) / len(apps), PROFILE.geo_app_share, len(apps))
    grants = {
        (c["user_id"], c["anonymous_id"])
        for c in zone.records("consent")
        if c["scope"] == "geolocation" and c["granted"]
    }
    granted_users = {user for user, _ in grants} - {None}
    granted_cookies = {cookie for _, cookie in grants} - {None}
    users_of: dict[str, set] = defaultdict(set)
    for record in people:
        users_of[record["anonymous_id"]].add(record["user_id"])
    granted = [
        subject in granted_cookies or bool(users_of[subject] & granted_users)
        for subject in with_geo
    ]
    near(sum(granted) / len(granted), PROFILE.geo_granted_share, len(granted))


def test_crawlers_keep_no_cookie_and_never_log_in(zone) -> None:
    events = zone.records("events")
    bots = [r for r in events if _is_bot(r)]
    assert 0.01 < len(bots) / len(events) < 0.15
    assert len({r["anonymous_id"] for r in bots}) == len(_first_seen(bots, "event_id"))
    assert all(r["user_id"] is None and r["x_forwarded_for"] is None for r in bots)
    assert {
        word for word in BOT_WORDS if any(word in (r["user_agent"] or "") for r in bots)
    } == set(BOT_WORDS)


# --- what people do


def test_personal_data_in_searches_and_urls(zone, near) -> None:
    searches = _first_seen(zone.records("searches"), "search_id")
    personal = sum(bool(PII_IN_TEXT.search(s["query"])) for s in searches)
    near(personal / len(searches), PROFILE.pii_query_share, len(searches))
    zero = sum(s["results_count"] == 0 for s in searches)
    expected = PROFILE.zero_result_share + PROFILE.pii_query_share * PROFILE.pii_alone_share
    near(zero / len(searches), expected, len(searches))
    assert all(s["result_listing_ids"] == [] for s in searches if s["results_count"] == 0)
    languages = {
        "kk": re.compile("[әғқңөұүһі]"),
        "ru": re.compile("[\u0430-\u044f]"),
        "en": re.compile("^[a-z ]+$", re.IGNORECASE),
    }
    assert all(any(p.search(s["query"]) for s in searches) for p in languages.values())
    views = _first_seen(_people(zone.records("events")), "event_id")
    landings = [
        r
        for r in views
        if r["event_type"] == "page_view" and not (r["referrer"] or "").startswith(SITE)
    ]
    tagged = sum(bool(re.search(r"[?&](email|phone)=", r["page_url"])) for r in landings)
    near(tagged / len(landings), PROFILE.pii_url_share, len(landings))
    assert any("utm_source=" in r["page_url"] for r in landings)


def test_clicks_follow_a_search_of_the_same_visitor_and_pick_one_of_its_results(zone) -> None:
    searches = {s["search_id"]: s for s in zone.records("searches")}
    broken = {
        m.group(1)
        for line in zone.of("searches")
        if line.reason and (m := re.search(rb'"search_id":"([^"]+)"', line.raw))
    }
    clicks = [r for r in zone.records("events") if r["event_type"] == "search_result_click"]
    assert len(clicks) > 100
    for click in clicks:
        search = searches.get(click["search_id"])
        if search is None:  # its line was malformed in delivery
            lost = click["search_id"].encode() in broken
            assert lost, "a click on a search that is nowhere in the zone"
            continue
        shown = click["listing_id"] in search["result_listing_ids"]
        assert shown, "a click on a listing the search did not return"
        same_visitor = search["anonymous_id"] == click["anonymous_id"]
        assert same_visitor, "a click from another visitor than the search's"
        assert _instant(search["ts"]) < _instant(click["ts"])
    assert sum(c["search_id"] in searches for c in clicks) > 0.98 * len(clicks)


def _catalog(zone) -> dict[str, list[dict[str, Any]]]:
    versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _first_seen_lines(zone.records("listings")):
        versions[record["listing_id"]].append(record)
    for history in versions.values():
        history.sort(key=lambda v: _instant(v["updated_at"]))
    return versions


def _first_seen_lines(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({orjson.dumps(r): r for r in records}.values())


def _version_at(history: list[dict[str, Any]], when: datetime) -> dict[str, Any] | None:
    current = None
    for version in history:
        if _instant(version["updated_at"]) <= when:
            current = version
    return current


def test_referenced_listings_exist_and_are_live(zone) -> None:
    catalog = _catalog(zone)
    slack = timedelta(seconds=PROFILE.clock_skew_max_s)  # a skewed clock runs ahead
    for record in zone.records("events") + zone.records("searches"):
        ids = record.get("result_listing_ids") or [record.get("listing_id")]
        for listing_id in filter(None, ids):
            when = _instant(record["ts"])
            version = _version_at(catalog[listing_id], when)
            assert version is not None, "referenced before it was posted"
            for end in (version["deleted_at"], version["expires_at"]):
                assert end is None or _instant(end) > when - slack


def test_money_agrees_with_the_catalog(zone) -> None:
    catalog = _catalog(zone)
    events = _first_seen(zone.records("events"), "event_id")
    bookings = [r for r in events if r["event_type"] == "booking"]
    assert bookings
    for booking in bookings:
        prices = {v["price_kzt"] for v in catalog[booking["listing_id"]]}
        assert any(
            booking["amount_kzt"] % p == 0 and booking["amount_kzt"] // p <= PROFILE.max_units
            for p in prices
        )
    promotions = [r for r in events if r["event_type"] == "promotion_purchase"]
    assert promotions
    for purchase in promotions:
        history = catalog[purchase["listing_id"]]
        by_owner = purchase["user_id"] == history[0]["owner_user_id"]
        assert by_owner, "a promotion bought by someone else than the listing's owner"
        assert purchase["amount_kzt"] in {price for _, price in PROMOTION_PACKAGES}
        paid = _instant(purchase["ts"])
        assert any(
            v["promoted_until"]
            and timedelta(0) <= _instant(v["updated_at"]) - paid < timedelta(minutes=1)
            for v in history
        )


def test_catalog_of_almaty_listings(zone) -> None:
    catalog = _catalog(zone)
    expected = min(max(round(ZONE_USERS * PROFILE.listings_per_user), 100), 5000)
    assert 0.9 * expected <= len(catalog) <= expected
    versions = [v for history in catalog.values() for v in history]
    assert {v["district"] for v in versions} <= set(DISTRICTS)
    assert {v["category"] for v in versions} >= {"accommodation", "tour", "advert", "restaurant"}
    for version in versions:
        if version["lat"] is not None:
            assert 42.8 < version["lat"] < 43.6 and 76.6 < version["lon"] < 79.3
    assert sum(len(h) > 1 for h in catalog.values()) > 0.2 * len(catalog)
    assert any(v["deleted_at"] for v in versions)
    assert any(v["promoted_until"] for v in versions)
    assert all(v["expires_at"] for v in versions if v["category"] == "advert")
    assert any(v["posted_at"].endswith("+06:00") for v in versions)
    assert any((v["owner_phone"] or "").startswith("+7 7") for v in versions)
    assert any(v["owner_user_id"] is None for v in versions)


ZONE_USERS = 300


# --- privacy feeds


def _account_status(zone) -> dict[str, list[tuple[datetime, str]]]:
    history: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for record in _first_seen_lines(zone.records("accounts")):
        history[record["user_id"]].append((_instant(record["ts"]), record["status"]))
    for changes in history.values():
        changes.sort()
    return history


def active(changes: list[tuple[datetime, str]], when: datetime) -> bool:
    status = [s for t, s in changes if t <= when]
    return bool(status) and status[-1] == "active"


def test_account_lifecycle(zone) -> None:
    history = _account_status(zone)
    assert len(history) == ZONE_USERS
    start = datetime.fromisoformat("2024-02-25T00:00:00+06:00")
    assert all(changes[0][1] == "active" for changes in history.values())
    ended = [t for changes in history.values() for t, s in changes if s == "terminated"]
    assert any(t < start.replace(year=start.year - 3) for t in ended)
    assert any(t >= start for t in ended)
    assert any([s for _, s in c] == ["active", "terminated", "active"] for c in history.values())
    assert min(c[0][0] for c in history.values()) < start.replace(year=start.year - 3)
    erasure = {}
    for request in zone.records("erasure_requests"):
        erasure.setdefault(request["user_id"], _instant(request["requested_at"]))
    for record in zone.records("events") + zone.records("searches"):
        user = record["user_id"]
        if user is None:
            continue
        when = _instant(record["ts"])
        fast = when - timedelta(seconds=PROFILE.clock_skew_max_s)  # a clock running ahead
        assert active(history[user], when) or active(history[user], fast), (
            "a logged-in visit outside an open account"
        )
        assert user not in erasure or fast < erasure[user]


def test_erasure_requests_of_every_kind(zone) -> None:
    requests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _first_seen_lines(zone.records("erasure_requests")):
        requests[record["request_id"]].append(record)
    kinds = set()
    for lines in requests.values():
        first = lines[0]
        assert first["settled_at"] is None
        if not first["outstanding_obligations"]:
            kinds.add("free")
        elif len(lines) == 1:
            kinds.add("unsettled")
        else:
            later = lines[1]
            same = later["outstanding_obligations"] and later["user_id"] == first["user_id"]
            assert same, "a settlement line that does not repeat its request"
            assert _instant(later["settled_at"]) > _instant(first["requested_at"])
            kinds.add("settled")
    assert kinds == {"free", "settled", "unsettled"}


def test_consent_changes(zone) -> None:
    changes = _first_seen_lines(zone.records("consent"))
    assert {c["scope"] for c in changes} == set(CONSENT_SCOPES)
    assert all(c["user_id"] or c["anonymous_id"] for c in changes)
    by_subject: dict[tuple, list] = defaultdict(list)
    for change in changes:
        key = (change["user_id"], change["anonymous_id"], change["scope"])
        by_subject[key].append((_instant(change["ts"]), change["granted"]))
    regranted = [
        key
        for key, history in by_subject.items()
        if any(not was and now for (_, was), (_, now) in pairwise(sorted(history)))
    ]
    assert regranted
    logged_in_cookies = {
        r["anonymous_id"] for r in zone.records("events") if r["user_id"] is not None
    }
    assert any(
        c["user_id"] is None and not c["granted"] and c["anonymous_id"] in logged_in_cookies
        for c in changes
    )
    start = datetime.fromisoformat("2024-02-25T00:00:00+06:00")
    in_range = [c for c in changes if _instant(c["ts"]) >= start]
    assert {c["scope"] for c in in_range if not c["granted"]} == set(CONSENT_SCOPES)


# --- time and taste


def test_hour_of_day_follows_almaty_life(zone) -> None:
    hours = Counter(
        int(r["ts"][11:13]) for r in _people(zone.records("events")) if not r["ts"].endswith("Z")
    )
    night = sum(hours[h] for h in (3, 4, 5)) / 3
    evening = sum(hours[h] for h in (19, 20, 21)) / 3
    assert night < 0.15 * evening


def _listing_views(root: Path) -> tuple[Counter[str], dict[str, dict[str, Any]]]:
    views: Counter[str] = Counter()
    listings = {}
    for feed, path in iter_zone_files(root):
        for raw in open_lines(path):
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if feed == "listings":
                listings[record["listing_id"]] = record
            elif feed == "events" and record.get("event_type") == "listing_view":
                views[record["listing_id"]] += 1
    return views, listings


def test_seasons_move_interest_between_ski_and_lakes(tmp_path: Path) -> None:
    shares = {}
    for season, start in (("winter", date(2025, 1, 18)), ("summer", date(2025, 7, 19))):
        root = tmp_path / season
        generate_landing_zone(root, start=start, days=2, users=400, events_per_day=3000, seed=5)
        views, listings = _listing_views(root)
        total = sum(views.values())
        ski = sum(n for k, n in views.items() if listings[k]["district"] == "Shymbulak")
        tours = sum(n for k, n in views.items() if listings[k]["category"] == "tour")
        shares[season] = (ski / total, tours / total)
    assert shares["winter"][0] > 1.5 * shares["summer"][0]
    assert shares["summer"][1] > 1.5 * shares["winter"][1]


def test_personal_history_predicts_later_days_better_than_popularity(tmp_path: Path) -> None:
    """The signal a recommender needs: stable tastes beat what is popular on held-out days."""
    root = tmp_path / "zone"
    generate_landing_zone(
        root, start=date(2024, 6, 1), days=8, users=1500, events_per_day=6000, seed=3
    )
    split = "2024-06-07"
    history: dict[str, Counter[str]] = defaultdict(Counter)
    later: dict[str, set[str]] = defaultdict(set)
    popular: Counter[str] = Counter()
    for feed, path in iter_zone_files(root):
        if feed != "events":
            continue
        for raw in open_lines(path):
            match = re.search(rb'"listing_id":"([^"]+)"', raw)
            user = re.search(rb'"user_id":"([^"]+)"', raw)
            if not (match and user) or b'"event_type":"ad_' in raw:
                continue
            when = re.search(rb'"ts":"([0-9-]{10})', raw)
            if when is None:
                continue
            if when.group(1).decode() < split:
                history[user.group(1)][match.group(1)] += 1
                popular[match.group(1)] += 1
            else:
                later[user.group(1)].add(match.group(1))
    top = {listing for listing, _ in popular.most_common(10)}
    personal = baseline = 0.0
    users = [u for u in later if u in history]
    for user in users:
        mine = {listing for listing, _ in history[user].most_common(10)}
        personal += len(later[user] & mine) / len(later[user])
        baseline += len(later[user] & top) / len(later[user])
    assert len(users) > 200
    assert personal > 1.3 * baseline


# --- determinism and arguments


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    args = {"start": date(2024, 2, 28), "days": 3, "users": 60, "events_per_day": 600}
    first = generate_landing_zone(tmp_path / "a", seed=11, **args)
    second = generate_landing_zone(tmp_path / "b", seed=11, **args)
    other = generate_landing_zone(tmp_path / "c", seed=12, **args)
    assert first == second
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert any(name.endswith(".gz") for name in _snapshot(tmp_path / "a"))
    assert _snapshot(tmp_path / "a") != _snapshot(tmp_path / "c")
    assert other != first


GOOD = {"start": date(2024, 3, 1), "days": 1, "users": 10, "events_per_day": 100, "seed": 1}


@pytest.mark.parametrize(
    ("changes", "flag"),
    [
        ({"days": 0}, "--days must be at least 1, got 0"),
        ({"days": 10_000}, "--days must be at most"),
        ({"users": 9}, "--users must be at least 10"),
        ({"events_per_day": 99}, "--events-per-day must be at least 100"),
        ({"seed": -1}, "--seed must be at least 0"),
        ({"days": 2.5}, "--days must be a whole number"),
        ({"users": True}, "--users must be a whole number"),
        ({"start": "2024-03-01"}, "--start must be a date"),
        ({"start": date(1999, 12, 31)}, "--start must be between"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    tmp_path: Path, changes: dict[str, Any], flag: str
) -> None:
    out = tmp_path / "zone"
    with pytest.raises(AlmatyError, match=re.escape(flag)) as error:
        generate_landing_zone(out, **{**GOOD, **changes})
    assert error.value.exit_code == 2
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_output_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "zone"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(AlmatyError, match="refusing to write") as error:
        generate_landing_zone(out, **GOOD)
    assert error.value.exit_code == 2
    assert [p.name for p in tmp_path.iterdir()] == ["zone"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_empty_output_directory_is_filled(tmp_path: Path) -> None:
    out = tmp_path / "zone"
    out.mkdir()
    summary = generate_landing_zone(out, **GOOD)
    assert summary.files == len([p for p in out.rglob("*") if p.is_file()]) > 0
    assert [p.name for p in tmp_path.iterdir()] == ["zone"]


def test_an_interrupted_run_leaves_nothing_behind(tmp_path: Path) -> None:
    def stop(day: date, events: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_landing_zone(tmp_path / "zone", **{**GOOD, "days": 3}, on_day=stop)
    assert list(tmp_path.iterdir()) == []


def test_personal_numbers_have_valid_check_digits() -> None:
    rng = np.random.default_rng(0)
    for number in card_numbers(rng, 50):
        digits = [int(c) for c in number.replace(" ", "")][::-1]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
        )
        assert len(digits) == 16 and total % 10 == 0
    for number in iins(rng, 50):
        digits = [int(c) for c in number]
        check = sum(d * w for d, w in zip(digits, range(1, 12), strict=False)) % 11
        if check == 10:
            check = (
                sum(
                    d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=False)
                )
                % 11
            )
        assert len(number) == 12 and check == digits[11]
