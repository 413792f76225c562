"""Access requests on a shared browser: each person gets what is theirs and nothing of the other.

Users A and B both log in on browser X, which is also used logged out; A has browser Y of
their own, used logged in and logged out. One real `almaty run`, then `almaty privacy access`
for each of them, as the data protection officer would answer the requests.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from privacy.pseudonyms import Pseudonymizer
from serving.access import attributable_condition
from tests.conftest import Zone, almaty_command, almaty_settings, record_name

DAY = "2026-01-10"
LISTINGS = [f"lst_{n}" for n in range(1, 7)]


def _at(hour: int, minute: int = 0) -> str:
    return f"{DAY}T{hour:02d}:{minute:02d}:00+05:00"


# (event id, hour, account or None, browser, listing): sessions are hours apart, so each is one
EVENTS = [
    ("x-anonymous", 9, None, "browser-x", "lst_1"),
    ("x-a", 12, "user-a", "browser-x", "lst_2"),
    ("x-b", 18, "user-b", "browser-x", "lst_3"),
    ("y-a", 10, "user-a", "browser-y", "lst_4"),
    ("y-anonymous", 15, None, "browser-y", "lst_5"),
]
# (search id, hour, account or None, browser)
SEARCHES = [
    ("s-x-anonymous", 9, None, "browser-x"),
    ("s-x-a", 12, "user-a", "browser-x"),
    ("s-x-b", 18, "user-b", "browser-x"),
    ("s-y-anonymous", 15, None, "browser-y"),
]
# (hour of the change, account or None, browser or None)
CONSENT = [
    (8, None, "browser-x"),
    (11, "user-a", None),
    (17, "user-b", None),
    (14, None, "browser-y"),
]
# What each person's report must hold: event and search ids, and the hours (Almaty) of their
# sessions, consent changes and the listings of their interactions.
EXPECTED = {
    "user-a": {
        "events": {"x-a", "y-a", "y-anonymous"},
        "searches": {"s-x-a", "s-y-anonymous"},
        "sessions": {12, 10, 15},
        "consent": {11, 14},
        "interactions": {"lst_2", "lst_4", "lst_5"},
        "links": 2,
    },
    "user-b": {
        "events": {"x-b"},
        "searches": {"s-x-b"},
        "sessions": {18},
        "consent": {17},
        "interactions": {"lst_3"},
        "links": 1,
    },
}


def _write_zone(zone: Zone) -> None:
    zone.events(
        DAY,
        [
            zone.event(
                event_id,
                _at(hour),
                user_id=user,
                anonymous_id=browser,
                event_type="listing_view",
                listing_id=listing,
            )
            for event_id, hour, user, browser, listing in EVENTS
        ],
    )
    zone.searches(
        DAY,
        [
            zone.search(search_id, _at(hour, 1), "hotel medeu", user_id=user, anonymous_id=browser)
            for search_id, hour, user, browser in SEARCHES
        ],
    )
    zone.write(
        "privacy/consent",
        [
            {"user_id": user, "anonymous_id": browser, "ts": _at(hour, 30),
             "scope": "geolocation", "granted": True}
            for hour, user, browser in CONSENT
        ],
    )  # fmt: skip
    zone.write(
        "privacy/accounts",
        [{"user_id": user, "ts": _at(7), "status": "active"} for user in EXPECTED],
    )
    zone.write(
        "catalog/listings",
        [
            {"listing_id": listing, "category": "accommodation",
             "updated_at": "2025-11-01T10:00:00+05:00", "title": f"Place {listing}",
             "district": "Medeu", "lat": 43.13, "lon": 77.08, "price_kzt": 60000.0,
             "owner_user_id": "user-b" if listing == "lst_6" else "owner",
             "posted_at": "2025-11-01T10:00:00+05:00", "expires_at": None,
             "deleted_at": None, "promoted_until": None}
            for listing in LISTINGS
        ],
    )  # fmt: skip


def _hour(timestamp: str) -> int:
    """The Almaty hour (UTC+05:00 in 2026) of a UTC ISO timestamp."""
    return (int(timestamp[11:13]) + 5) % 24


@pytest.fixture(scope="module")
def shared_browser(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("shared-browser")
    env = {**almaty_settings(root), "ALMATY_AS_OF": "2026-01-31", "ALMATY_MIN_GROUP_SIZE": "1"}
    _write_zone(Zone(root / "landing", root / "warehouse"))
    assert almaty_command(env, "secret", "init").returncode == 0
    result = almaty_command(env, "run")
    assert result.returncode == 0, result.stderr
    secret = bytes.fromhex((root / "secret.key").read_text().strip())
    user, anonymous = Pseudonymizer(secret, "user"), Pseudonymizer(secret, "anonymous")
    pseudonyms = [user(name) for name in (*EXPECTED, "owner")]
    pseudonyms += [anonymous(name) for name in ("browser-x", "browser-y")]
    reports, printed = {}, {}
    for name in EXPECTED:
        answer = almaty_command(env, "privacy", "access", "--user-id", name)
        assert answer.returncode == 0, answer.stderr
        reports[name] = answer.stdout
        printed[name] = answer.stdout + answer.stderr
    return {"reports": reports, "printed": printed, "pseudonyms": pseudonyms}


def test_each_person_on_a_shared_browser_gets_only_their_own_rows(shared_browser) -> None:
    for name, expected in EXPECTED.items():
        report = json.loads(shared_browser["reports"][name])
        assert report["found"] is True
        tables = {table: content["rows"] for table, content in report["tables"].items()}
        got = {
            "events": {record_name(row["event_id"]) for row in tables["ingested.events"]},
            "searches": {record_name(row["search_id"]) for row in tables["ingested.searches"]},
            "sessions": {_hour(row["started_at"]) for row in tables["intermediate.int_sessions"]},
            "consent": {_hour(row["changed_at"]) for row in tables["ingested.consent_changes"]},
            "interactions": {
                row["listing_id"] for row in tables["marts.fct_user_listing_interactions"]
            },
            "links": len(tables["ingested.identity_links"]),
        }
        assert got == expected, name
        # every link shown is the person's own: their account beside one of their browsers
        for link in tables["ingested.identity_links"]:
            assert link["user_pseudonym"] == "your account", name
            assert link["anonymous_pseudonym"].startswith("your browser or app "), name
        for row in tables["ingested.events"] + tables["intermediate.int_sessions"]:
            assert row["user_pseudonym"] in ("your account", None), name
        assert len(tables["ingested.account_changes"]) == 1, name
        # B owns L6; A's report holds no listing of anyone
        owned = [row["listing_id"] for row in tables.get("ingested.listing_versions", [])]
        assert owned == (["lst_6"] if name == "user-b" else []), name


def test_a_shared_browser_is_labelled_and_no_pseudonym_is_printed(shared_browser) -> None:
    for name, text in shared_browser["reports"].items():
        for pseudonym in shared_browser["pseudonyms"]:
            assert pseudonym not in shared_browser["printed"][name], name
        report = json.loads(text)
        events = report["tables"]["ingested.events"]["rows"]
        browsers = {row["anonymous_pseudonym"] for row in events}
        # X is A's browser or app 1 or 2 (numbered by code), B's only one
        expected = 2 if name == "user-a" else 1
        assert browsers == {f"your browser or app {n}" for n in range(1, expected + 1)}, name
        assert "only what you did logged in" in report["summary"]


@pytest.mark.parametrize(
    ("columns", "rows", "theirs"),
    [
        # (user, anonymous): their own logged-in rows anywhere, their browser's logged-out rows,
        # never a row of their browser naming another account, nor a shared browser's
        (
            ("user_pseudonym", "anonymous_pseudonym"),
            [("me", "shared"), ("me", "mine"), (None, "mine"), ("other", "mine"),
             (None, "shared"), ("other", "shared")],
            [("me", "shared"), ("me", "mine"), (None, "mine")],
        ),
        # a consent subject is the account or one of its browsers
        (("subject_pseudonym",), [("me",), ("mine",), ("shared",), ("other",)],
         [("me",), ("mine",)]),
        (("owner_pseudonym",), [("me",), ("other",), (None,)], [("me",)]),
        (("listing_id",), [("me",)], []),
    ],
)  # fmt: skip
def test_a_row_is_theirs_by_their_pseudonym_or_a_browser_of_theirs_alone(
    columns, rows, theirs
) -> None:
    with duckdb.connect() as con:
        con.execute(f"create table t ({', '.join(f'{c} varchar' for c in columns)})")
        con.executemany(f"insert into t values ({', '.join('?' for _ in columns)})", rows)
        condition = attributable_condition(list(columns))
        params = {"user": "me", "anonymous": ["mine"]}
        params = {name: value for name, value in params.items() if f"${name}" in condition}
        assert con.execute(f"select * from t where {condition}", params).fetchall() == theirs
