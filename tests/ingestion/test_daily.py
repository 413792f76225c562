"""Each ingestion rule on exact records: what is stored, what is dropped, and why."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from almaty.errors import AlmatyError
from ingestion.daily import ingest_days
from ingestion.rules import derive_keys, refresh_privacy_rules
from ingestion.warehouse import open_warehouse
from privacy.pseudonyms import Pseudonymizer
from privacy.suppression import suppression_digest
from tests.lake_files import decoded_lake

SECRET = bytes(range(32))
DAY = "2026-01-10"
TS = "2026-01-10T12:00:00+05:00"
U_OUT_REFUSES_ANALYTICS = {
    "user_id": "u_out",
    "anonymous_id": None,
    "ts": "2026-01-05T10:00:00+05:00",
    "scope": "analytics",
    "granted": False,
}


def _stored_ids(zone, table: str = "events", key: str = "event_id") -> set[str]:
    return {row[0] for row in zone.query(f"select {key} from ingested.{table}")}


def _consent(zone, *changes: dict) -> None:
    zone.write("privacy/consent", list(changes))


def test_identifiers_become_keyed_pseudonyms_and_never_appear_raw(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event(
                "e1", TS, user_id="u_1842", anonymous_id="a_77", device_id="ABCD-1234", app="ios"
            )
        ],
    )
    zone.ingest(DAY)
    [(user, anon, device, version)] = zone.query(
        "select user_pseudonym, anonymous_pseudonym, device_pseudonym, key_version "
        "from ingested.events"
    )
    assert user == Pseudonymizer(SECRET, "user")("u_1842")
    assert anon == Pseudonymizer(SECRET, "anonymous")("a_77")
    assert device == Pseudonymizer(SECRET, "device")("ABCD-1234")
    assert len(user) >= 32 and version
    raw = decoded_lake(zone.warehouse)
    for value in (b"u_1842", b"a_77", b"ABCD-1234", b"95.56.1.2", b"Chrome/124"):
        assert value not in raw


def test_ip_is_the_client_network_with_a_token_per_day(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event("e1", TS, ip="10.0.0.1", x_forwarded_for="95.56.7.9:5555, 10.0.0.1"),
            zone.event("e2", TS, ip="::ffff:95.56.7.9"),
            zone.event("e3", TS, ip="2a00:1fa0:42:7::1"),
        ],
    )
    zone.events("2026-01-11", [zone.event("e4", "2026-01-11T09:00:00+05:00", ip="95.56.7.9")])
    zone.ingest(DAY, "2026-01-11")
    rows = dict(
        (event_id, (network, token))
        for event_id, network, token in zone.query(
            "select event_id, ip_network, ip_token from ingested.events"
        )
    )
    assert rows["e1"][0] == rows["e2"][0] == "95.56.7.0/24"
    assert rows["e3"][0] == "2a00:1fa0:42::/48"
    assert rows["e1"][1] == rows["e2"][1]  # same address, same day
    assert rows["e4"][1] != rows["e1"][1]  # same address, another day: not linkable


def test_addresses_with_control_characters_are_judged_like_any_other(zone) -> None:
    # Python's strip() takes the unit separator for whitespace, so the forwarded hop is an
    # address; in the edge's own field it is not. Neither may break the day.
    zone.events(
        DAY,
        [
            zone.event("e1", TS, ip="95.56.7.9\x1f2026-01-10"),
            zone.event("e2", TS, ip="10.0.0.1", x_forwarded_for="95.56.7.9\x1f, 10.0.0.1"),
        ],
    )
    zone.ingest(DAY)
    assert zone.query("select event_id, ip_network from ingested.events") == [
        ("e2", "95.56.7.0/24")
    ]
    assert zone.query("select line_number, reason from ingested.quarantine") == [(1, "bad_ip")]


def test_bad_lines_are_quarantined_by_place_and_reason_and_the_rest_stored(zone) -> None:
    path = zone.events(
        DAY,
        [zone.event("e1", TS), zone.event("e2", TS, ip="unknown"), zone.event("e3", "noon")],
        raw=b'{"event_id": "e4", "ts": \n\n'
        + b'{"event_id":"e5","event_type":"teleport","ts":"2026-01-10T10:00:00Z"}\n',
    )
    zone.ingest(DAY)
    assert _stored_ids(zone) == {"e1"}
    source = path.relative_to(zone.root).as_posix()
    assert sorted(zone.query("select source, line_number, reason from ingested.quarantine")) == [
        (source, 2, "bad_ip"),
        (source, 3, "bad_timestamp"),
        (source, 4, "broken_json"),
        (source, 6, "missing_field"),
    ]


def test_a_broken_gzip_fails_the_day_naming_the_file_and_keeps_what_was_there(zone) -> None:
    zone.events(DAY, [zone.event("e1", TS)])
    zone.ingest(DAY)
    broken = zone.root / f"events/date={DAY}/late.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"a": 1}\n' * 10_000)[:-20])
    with pytest.raises(AlmatyError, match=r"late\.jsonl\.gz"):
        zone.ingest(DAY)
    assert _stored_ids(zone) == {"e1"}


def test_a_run_of_days_judges_each_with_the_whole_runs_links_and_an_unreadable_day_stops_alone(
    zone,
) -> None:
    # a1 logs in as the opted-out u_out only on the 12th; its visit of the 10th is u_out's too
    zone.events(DAY, [zone.event("anon", TS, anonymous_id="a1"), zone.event("e1", TS)])
    zone.events("2026-01-11", [zone.event("e2", "2026-01-11T10:00:00+05:00")])
    broken = zone.root / "events/date=2026-01-11/late.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"a": 1}\n' * 10_000)[:-20])
    zone.events(
        "2026-01-12",
        [zone.event("e3", "2026-01-12T10:00:00+05:00", user_id="u_out", anonymous_id="a1")],
    )
    _consent(zone, U_OUT_REFUSES_ANALYTICS)
    keys = derive_keys(SECRET)
    days = [date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)]
    heard: list[date] = []
    with open_warehouse(zone.warehouse) as con:
        con.execute("begin transaction")
        refresh_privacy_rules(con, zone.root, keys, date(2026, 1, 12), 3)
        con.execute("commit")
        run = ingest_days(
            con,
            zone.root,
            days,
            keys,
            date(2026, 1, 12),
            3,
            on_day=lambda r: heard.append(r[0].day),
        )
    assert heard == [date(2026, 1, 10), date(2026, 1, 12)]
    assert list(run.unread) == [date(2026, 1, 11)]
    assert "late.jsonl.gz" in str(run.unread[date(2026, 1, 11)])
    assert _stored_ids(zone) == {"e1"}
    [events_10th] = [r for r in run.results if r.feed == "events" and r.day == date(2026, 1, 10)]
    assert events_10th.dropped == {"analytics_opt_out": 1}


def test_duplicates_are_stored_once_whatever_the_order_of_days(zone, tmp_path) -> None:
    zone.events(DAY, [zone.event("e1", TS), zone.event("e1", TS)])
    zone.events(DAY, [zone.event("e1", TS), zone.event("e2", TS)], gz=True)
    zone.events("2026-01-11", [zone.event("e2", TS), zone.event("e3", TS)])
    zone.ingest("2026-01-11", DAY)
    forward = sorted(zone.query("select event_id, delivery_day from ingested.events"))
    assert forward == [
        ("e1", date(2026, 1, 10)),
        ("e2", date(2026, 1, 10)),
        ("e3", date(2026, 1, 11)),
    ]
    zone.ingest(DAY, "2026-01-11", DAY)
    assert sorted(zone.query("select event_id, delivery_day from ingested.events")) == forward


def test_rerunning_a_day_gives_the_same_warehouse(zone) -> None:
    zone.events(DAY, [zone.event(f"e{i}", TS, user_id=f"u_{i % 3}") for i in range(50)])
    zone.searches(DAY, [zone.search("s1", TS, "отель медеу")])
    zone.ingest(DAY)
    first = sorted(zone.query("select * from ingested.events"))
    zone.ingest(DAY)
    assert sorted(zone.query("select * from ingested.events")) == first
    assert len(first) == 50


def test_an_analytics_opt_out_in_force_removes_every_record_of_the_subject(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event("before", "2026-01-01T10:00:00+05:00", user_id="u_out", anonymous_id="a1"),
            # the same visitor's cookie without login: covered through the link
            zone.event("anon", TS, anonymous_id="a1"),
            zone.event("other", TS, user_id="u_in", anonymous_id="a2"),
        ],
    )
    _consent(zone, U_OUT_REFUSES_ANALYTICS)
    [events, _] = zone.ingest(DAY)
    assert _stored_ids(zone) == {"other"}
    assert events.dropped == {"analytics_opt_out": 2}


def test_records_made_during_an_opt_out_stay_out_after_a_regrant(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event("before", "2026-01-10T08:00:00+05:00", user_id="u1"),
            zone.event("during", "2026-01-10T10:00:00+05:00", user_id="u1"),
            zone.event("after", "2026-01-10T12:00:00+05:00", user_id="u1"),
        ],
    )
    _consent(
        zone,
        {
            "user_id": "u1",
            "anonymous_id": None,
            "ts": "2026-01-10T09:00:00+05:00",
            "scope": "all",
            "granted": False,
        },
        {
            "user_id": "u1",
            "anonymous_id": None,
            "ts": "2026-01-10T11:00:00+05:00",
            "scope": "all",
            "granted": True,
        },
    )
    zone.ingest(DAY)
    assert _stored_ids(zone) == {"before", "after"}


def test_personalization_marketing_and_gpc_mark_records(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event("plain", TS, user_id="u1"),
            zone.event("gpc", TS, user_id="u2", gpc=True),
            zone.event("no_pers", TS, user_id="u3"),
            zone.event("no_mkt", TS, user_id="u4"),
        ],
    )
    _consent(
        zone,
        {
            "user_id": "u3",
            "anonymous_id": None,
            "ts": "2026-01-01T00:00:00+05:00",
            "scope": "personalization",
            "granted": False,
        },
        {
            "user_id": "u4",
            "anonymous_id": None,
            "ts": "2026-01-01T00:00:00+05:00",
            "scope": "marketing",
            "granted": False,
        },
    )
    zone.ingest(DAY)
    flags = {
        e: (p, m)
        for e, p, m in zone.query(
            "select event_id, personalization_allowed, marketing_allowed from ingested.events"
        )
    }
    assert flags == {
        "plain": (True, True),
        "gpc": (False, False),
        "no_pers": (False, True),
        "no_mkt": (True, False),
    }


def test_location_needs_geolocation_consent_and_is_coarsened(zone) -> None:
    geo = {"lat": 43.23891, "lon": 76.88972, "accuracy_m": 25}
    zone.events(
        DAY,
        [
            zone.event("granted", TS, user_id="u1", app="android", geo=geo),
            zone.event("silent", TS, user_id="u2", app="android", geo=geo),
        ],
    )
    _consent(
        zone,
        {
            "user_id": "u1",
            "anonymous_id": None,
            "ts": "2025-12-01T00:00:00+05:00",
            "scope": "geolocation",
            "granted": True,
        },
    )
    zone.ingest(DAY)
    rows = dict(
        (e, (lat, lon))
        for e, lat, lon in zone.query("select event_id, geo_lat, geo_lon from ingested.events")
    )
    assert rows["silent"] == (None, None)
    lat, lon = rows["granted"]
    assert abs(lat - 43.23891) < 0.01 and abs(lon - 76.88972) < 0.01
    assert (lat, lon) != (43.23891, 76.88972)


def test_free_text_is_scrubbed(zone) -> None:
    zone.events(
        DAY,
        [
            zone.event(
                "e1",
                TS,
                page_url="https://visitalmaty.kz/search?q=ivan%40mail.kz&utm_source=insta&phone=87012345678",
                referrer="https://www.google.com/search?q=almaty+hotel",
            )
        ],
    )
    zone.searches(DAY, [zone.search("s1", TS, "Отель  Медеу +7 701 234 56 78 ivan@mail.kz")])
    zone.ingest(DAY)
    [(url, referrer)] = zone.query("select page_url, referrer from ingested.events")
    assert url == "https://visitalmaty.kz/search?utm_source=insta"
    assert referrer == "https://www.google.com/search"
    [(query,)] = zone.query("select query from ingested.searches")
    assert query == "отель медеу <phone> <email>"


def test_an_object_where_a_string_belongs_is_never_stored_as_its_json_text(zone) -> None:
    """Each rule reduces it to what its class allows: no URL, no browser, a keyed code."""
    planted = {"email": "ivan@mail.kz", "phone": "+7 701 234 56 78"}
    zone.events(
        DAY,
        [
            zone.event(
                "e1",
                TS,
                user_id=planted,
                device_id=[planted["email"]],
                page_url=planted,
                referrer=[planted["phone"]],
                user_agent=planted,
                locale=planted,
                listing_id=planted,
            )
        ],
    )
    zone.ingest(DAY)
    [row] = zone.query(
        "select page_url, referrer, browser_family, os_family, locale, listing_id, "
        "length(user_pseudonym), length(device_pseudonym) from ingested.events"
    )
    assert row == (None, None, "Other", "Other", "other", None, 32, 32)
    [(corrected,)] = zone.query(
        "select list(column_name order by column_name) from ingested.corrections "
        "where stage = 'ingestion'"
    )
    assert corrected == ["listing_id", "locale"]


def test_terminated_accounts_and_old_anonymous_records_expire(zone) -> None:
    zone.events(
        "2022-12-01",
        [
            zone.event("old_anon", "2022-12-01T10:00:00+06:00"),
            zone.event("old_user", "2022-12-01T10:00:00+06:00", user_id="u_active"),
            zone.event("gone_user", "2022-12-01T10:00:00+06:00", user_id="u_left"),
        ],
    )
    zone.write(
        "privacy/accounts",
        [
            {"user_id": "u_left", "ts": "2022-12-20T10:00:00+06:00", "status": "terminated"},
            {"user_id": "u_active", "ts": "2020-01-01T10:00:00+06:00", "status": "active"},
        ],
    )
    zone.ingest("2022-12-01", as_of=date(2025, 11, 20))
    assert _stored_ids(zone) == {"old_anon", "old_user", "gone_user"}
    zone.ingest("2022-12-01", as_of=date(2026, 1, 31))
    assert _stored_ids(zone) == {"old_user"}


def test_erasure_runs_once_obligations_are_settled(zone) -> None:
    zone.events(DAY, [zone.event("free", TS, user_id="u1"), zone.event("owes", TS, user_id="u2")])
    zone.write(
        "privacy/erasure_requests",
        [
            {
                "request_id": "er_000001",
                "user_id": "u1",
                "requested_at": TS,
                "outstanding_obligations": False,
                "settled_at": None,
            },
            {
                "request_id": "er_000002",
                "user_id": "u2",
                "requested_at": TS,
                "outstanding_obligations": True,
                "settled_at": None,
            },
        ],
    )
    zone.ingest(DAY)
    assert _stored_ids(zone) == {"owes"}
    assert sorted(zone.query("select request_id, state from ingested.erasure_requests")) == [
        ("er_000001", "done"),
        ("er_000002", "deferred"),
    ]
    zone.write(
        "privacy/erasure_requests",
        [
            {
                "request_id": "er_000002",
                "user_id": "u2",
                "requested_at": TS,
                "outstanding_obligations": True,
                "settled_at": "2026-01-20T10:00:00+05:00",
            }
        ],
    )
    zone.ingest(DAY)
    assert _stored_ids(zone) == set()
    raw_u2 = Pseudonymizer(SECRET, "user")("u2")
    assert zone.query(
        "select reason from ingested.suppressed_subjects where subject_digest = ?",
        [suppression_digest(raw_u2)],
    ) == [("erasure",)]


def test_listing_contacts_are_never_stored_and_ended_adverts_keep_only_id_and_category(
    zone,
) -> None:
    base = {
        "updated_at": "2025-11-01T10:00:00+05:00",
        "title": "Chalet Shymbulak, call 87012345678",
        "district": "Medeu",
        "lat": 43.13,
        "lon": 77.08,
        "price_kzt": 60000.0,
        "owner_user_id": "u_owner",
        "owner_phone": "+77012345678",
        "owner_email": "o@mail.kz",
        "posted_at": "2025-11-01T10:00:00+05:00",
        "expires_at": None,
        "deleted_at": None,
        "promoted_until": None,
    }
    zone.write(
        "catalog/listings",
        [
            {**base, "listing_id": "lst_1", "category": "accommodation"},
            {
                **base,
                "listing_id": "lst_9001",
                "category": "advert",
                "expires_at": "2026-01-15T00:00:00+05:00",
            },
        ],
    )
    zone.ingest()
    rows = {
        r[0]: r[1:]
        for r in zone.query(
            "select listing_id, category, title, price_kzt, owner_pseudonym, is_retired "
            "from ingested.listing_versions"
        )
    }
    assert rows["lst_1"][1] == "chalet shymbulak, call <phone>" or "<phone>" in rows["lst_1"][1]
    assert rows["lst_1"][3] == Pseudonymizer(SECRET, "user")("u_owner")
    assert rows["lst_9001"] == ("advert", None, None, None, True)
    raw = decoded_lake(zone.warehouse)
    assert b"o@mail.kz" not in raw and b"77012345678" not in raw


def test_a_day_that_fails_half_way_is_left_as_it_was(zone, monkeypatch) -> None:
    import ingestion.daily as daily

    zone.events(DAY, [zone.event("e1", TS), zone.event("e2", TS)])
    zone.ingest(DAY)
    before = sorted(zone.query("select * from ingested.events"))
    zone.events(DAY, [zone.event("e3", TS)])
    real_store = daily._store

    def store_then_die(con, feed, *args):
        real_store(con, feed, *args)
        if feed.name == "searches":  # events of the day are already replaced by now
            raise KeyboardInterrupt

    monkeypatch.setattr(daily, "_store", store_then_die)
    with pytest.raises(KeyboardInterrupt):
        zone.ingest(DAY)
    assert sorted(zone.query("select * from ingested.events")) == before


def test_a_rule_failing_in_its_worker_thread_fails_the_day_and_leaves_it_as_it_was(
    zone, monkeypatch
) -> None:
    import ingestion.daily as daily

    zone.events(DAY, [zone.event("e1", TS)])
    zone.ingest(DAY)
    before = sorted(zone.query("select * from ingested.events"))
    zone.events(DAY, [zone.event("e2", TS, page_url="https://visitalmaty.kz/new")])

    def broken_scrub(url: str) -> str:
        raise RuntimeError("scrubbing broke")

    monkeypatch.setattr(daily, "scrub_url", broken_scrub)
    with pytest.raises(RuntimeError, match="scrubbing broke"):
        zone.ingest(DAY)
    assert sorted(zone.query("select * from ingested.events")) == before
