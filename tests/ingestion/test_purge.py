"""The purge on exact records: each rule, what goes, who keeps every row, what the audit says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.lake import connect_lake, remove_deleted_bytes
from ingestion.purge import PurgeResult, purge_warehouse
from ingestion.warehouse import open_warehouse
from privacy.pseudonyms import Pseudonymizer
from privacy.suppression import suppression_digest
from tests.conftest import AS_OF, SECRET
from tests.lake_files import decoded_lake, file_digests

DAY = "2026-01-10"
TS = "2026-01-10T12:00:00+05:00"
LATER = "2026-01-20T10:00:00+05:00"
USER = Pseudonymizer(SECRET, "user")
ANON = Pseudonymizer(SECRET, "anonymous")


def _purge(zone, as_of: date = AS_OF, clean_exports=None) -> PurgeResult:
    """What a run does: refresh the rules from the feeds, then purge."""
    zone.ingest(as_of=as_of)
    with open_warehouse(zone.warehouse) as con:
        return purge_warehouse(con, as_of, 3, datetime.now(UTC), clean_exports)


def _ids(zone, table: str = "events", key: str = "event_id") -> set[str]:
    return {row[0] for row in zone.query(f"select {key} from ingested.{table}")}


def _audit(zone) -> list[tuple]:
    return zone.query(
        "select rule, request_id, table_name, change, rows from ingested.privacy_audit "
        "order by purged_at, rule, request_id, table_name nulls last, change"
    )


def _anywhere(path: Path, value: str) -> list[str]:
    """Every table and column of the DuckDB file whose values contain `value`."""
    found = []
    with connect_lake(path, read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)',
                [value],
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
    return found


def _people(zone) -> None:
    """u1 browses with cookie a1 (also alone) and searches; u2 and u3 browse; a9 is anonymous."""
    zone.events(
        DAY,
        [
            zone.event("e1", TS, user_id="u1", anonymous_id="a1"),
            zone.event("e1-alone", TS, anonymous_id="a1"),
            zone.event("e2", TS, user_id="u2", anonymous_id="a2"),
            zone.event("e3", TS, user_id="u3", anonymous_id="a3"),
            zone.event("e9", TS, anonymous_id="a9"),
        ],
    )
    zone.searches(DAY, [zone.search("s1", TS, "ski pass", user_id="u1", anonymous_id="a1")])
    zone.ingest(DAY)


def _erasure(zone, request_id: str, user: str, obligations: bool, settled: str | None) -> None:
    zone.write(
        "privacy/erasure_requests",
        [
            {
                "request_id": request_id,
                "user_id": user,
                "requested_at": LATER,
                "outstanding_obligations": obligations,
                "settled_at": settled,
            }
        ],
    )


def _consent(zone, user: str, scope: str) -> None:
    zone.write(
        "privacy/consent",
        [{"user_id": user, "anonymous_id": None, "ts": LATER, "scope": scope, "granted": False}],
    )


def test_an_erasure_removes_the_user_and_their_cookies_everywhere_and_is_audited(zone) -> None:
    _people(zone)
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    result = _purge(zone)

    assert _ids(zone) == {"e2", "e3", "e9"}  # nobody else lost a row
    assert _ids(zone, "searches", "search_id") == set()
    for pseudonym in (USER("u1"), ANON("a1")):
        assert _anywhere(zone.warehouse, pseudonym) == []
    # the request and the suppression list keep digests only
    assert zone.query("select user_digest, state from ingested.erasure_requests") == [
        (suppression_digest(USER("u1")), "done")
    ]
    assert _audit(zone) == [
        ("erasure", "er_000001", "ingested.events", "deleted", 2),
        ("erasure", "er_000001", "ingested.identity_links", "deleted", 1),
        ("erasure", "er_000001", "ingested.searches", "deleted", 1),
        ("erasure", "er_000001", None, "carried_out", 4),
    ]
    assert result.requests_carried_out == ["er_000001"]
    assert result.days == [date(2026, 1, 10)]
    assert result.export_subjects[USER("u1")] == ("erasure", "er_000001")


def test_an_erased_users_cookie_stays_out_after_its_links_are_gone(zone) -> None:
    _people(zone)
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    _purge(zone)
    zone.events(
        "2026-01-11", [zone.event("e-back", "2026-01-11T09:00:00+05:00", anonymous_id="a1")]
    )
    [events, _] = zone.ingest("2026-01-11")
    assert events.dropped == {"erasure": 1}
    assert _ids(zone) == {"e2", "e3", "e9"}


def test_a_deferred_erasure_waits_for_settlement_then_runs_at_the_next_purge(zone) -> None:
    _people(zone)
    _erasure(zone, "er_000002", "u2", obligations=True, settled=None)
    _purge(zone)
    assert "e2" in _ids(zone)
    assert zone.query("select state, state_reason from ingested.erasure_requests") == [
        ("deferred", "outstanding obligations")
    ]
    assert [row for row in _audit(zone) if row[0] == "erasure"] == []

    _erasure(zone, "er_000002", "u2", obligations=True, settled="2026-01-25T10:00:00+05:00")
    _purge(zone)
    assert _ids(zone) == {"e1", "e1-alone", "e3", "e9"}
    assert zone.query("select state, state_reason from ingested.erasure_requests") == [
        ("done", "obligations settled")
    ]
    assert ("erasure", "er_000002", None, "carried_out", 2) in _audit(zone)


def test_an_analytics_opt_out_removes_the_rows_but_keeps_the_choice(zone) -> None:
    _people(zone)
    _consent(zone, "u3", "analytics")
    _purge(zone)
    assert _ids(zone) == {"e1", "e1-alone", "e2", "e9"}
    # the choice itself stays: it keeps applying the opt-out to later deliveries
    assert zone.query("select scope, granted from ingested.consent_changes") == [
        ("analytics", False)
    ]
    assert ("analytics_opt_out", None, "ingested.events", "deleted", 1) in _audit(zone)


def test_a_personalization_opt_out_withdraws_the_flag_and_keeps_the_rows(zone) -> None:
    _people(zone)
    _consent(zone, "u2", "personalization")
    result = _purge(zone)
    assert _ids(zone) == {"e1", "e1-alone", "e2", "e3", "e9"}
    assert zone.query("select event_id from ingested.events where not personalization_allowed") == [
        ("e2",)
    ]
    assert zone.query("select count(*) from ingested.events where not marketing_allowed") == [(0,)]
    assert _audit(zone) == [
        ("personalization_opt_out", None, "ingested.events", "flag_cleared", 1),
    ]
    assert result.export_subjects[USER("u2")] == ("personalization_opt_out", None)
    assert USER("u1") not in result.export_subjects


def test_a_personalization_opt_out_takes_the_subject_out_of_the_recommender_input(zone) -> None:
    """At once, not when the models next build: a copy published meanwhile holds no row."""
    _people(zone)
    with connect_lake(zone.warehouse) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_user_listing_interactions as "
            "select * from (values (?, 'lst_1'), (?, 'lst_2')) t(subject_pseudonym, listing_id)",
            [USER("u1"), USER("u2")],
        )
    _consent(zone, "u2", "personalization")
    _purge(zone)
    assert zone.query("select subject_pseudonym from marts.fct_user_listing_interactions") == [
        (USER("u1"),)
    ]
    assert (
        "personalization_opt_out",
        None,
        "marts.fct_user_listing_interactions",
        "deleted",
        1,
    ) in _audit(zone)


def test_retention_runs_as_time_passes(zone) -> None:
    old_day, old_ts = "2022-12-01", "2022-12-01T12:00:00+06:00"
    zone.events(
        old_day,
        [
            zone.event("old-anon", old_ts),
            zone.event("old-user", old_ts, user_id="u_kept"),
            zone.event("left-user", old_ts, user_id="u_left"),
        ],
    )
    zone.write(
        "privacy/accounts",
        [{"user_id": "u_left", "ts": "2022-12-20T10:00:00+06:00", "status": "terminated"}],
    )
    zone.ingest(old_day, as_of=date(2025, 11, 20))
    assert _ids(zone) == {"old-anon", "old-user", "left-user"}

    _purge(zone, as_of=date(2025, 11, 20))
    assert _ids(zone) == {"old-anon", "old-user", "left-user"}  # nothing expired yet

    result = _purge(zone, as_of=date(2026, 1, 31))  # three years and more have passed
    assert _ids(zone) == {"old-user"}
    assert _anywhere(zone.warehouse, USER("u_left")) == []
    audit = _audit(zone)
    assert ("retention", None, "ingested.events", "deleted", 1) in audit
    assert ("anonymous_retention", None, "ingested.events", "deleted", 1) in audit
    assert result.days == [date(2022, 12, 1)]


def test_an_erased_owner_leaves_the_listing(zone) -> None:
    _people(zone)
    listing = {
        "listing_id": "lst_1",
        "category": "accommodation",
        "updated_at": "2025-11-01T10:00:00+05:00",
        "title": "Chalet",
        "district": "Medeu",
        "lat": 43.13,
        "lon": 77.08,
        "price_kzt": 60000.0,
        "owner_user_id": "u1",
        "posted_at": "2025-11-01T10:00:00+05:00",
        "expires_at": None,
        "deleted_at": None,
        "promoted_until": None,
    }
    zone.write("catalog/listings", [listing])
    zone.ingest()
    assert zone.query("select owner_pseudonym from ingested.listing_versions") == [(USER("u1"),)]
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    _purge(zone)
    assert zone.query("select listing_id, owner_pseudonym from ingested.listing_versions") == [
        ("lst_1", None)
    ]


def test_the_audit_is_only_ever_appended_to_and_a_settled_state_is_not_purged_again(
    zone,
) -> None:
    _people(zone)
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    _consent(zone, "u2", "analytics")
    _consent(zone, "u3", "personalization")
    zone.write(
        "privacy/accounts",
        [{"user_id": "u2", "ts": "2025-01-01T10:00:00+05:00", "status": "active"}],
    )
    _purge(zone)
    first = _audit(zone)
    second = _purge(zone)  # nothing left to do
    audit = _audit(zone)
    assert audit[: len(first)] == first
    assert audit[len(first) :] == [("none", None, None, "carried_out", 0)]
    assert not second.needs_rewrite


def test_exports_are_cleaned_inside_the_purge_and_audited(zone) -> None:
    _people(zone)
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    seen = {}

    def clean(subjects):
        seen.update(subjects)
        return {("erasure", "er_000001", "recommendations/V1/users.parquet"): 20}

    _purge(zone, clean_exports=clean)
    assert seen[USER("u1")] == ("erasure", "er_000001")
    assert USER("u2") not in seen
    assert (
        "erasure",
        "er_000001",
        "recommendations/V1/users.parquet",
        "export_rows_deleted",
        20,
    ) in _audit(zone)


def test_an_erasure_rewrites_only_the_files_of_the_erased_and_leaves_no_byte_of_them(
    zone,
) -> None:
    """Decoded, not byte-searched: Parquet files are compressed. A positive control first:
    the pseudonym is found in the files while stored, and after the delete alone."""
    _people(zone)  # u1 on DAY only
    other = "2026-01-11"
    zone.events(other, [zone.event("e20", "2026-01-11T12:00:00+05:00", user_id="u2")])
    zone.ingest(other)
    erased, kept = USER("u1").encode(), USER("u2").encode()
    assert erased in decoded_lake(zone.warehouse)
    before = file_digests(zone.warehouse)
    _erasure(zone, "er_000001", "u1", obligations=False, settled=None)
    result = _purge(zone)
    assert erased in decoded_lake(zone.warehouse)  # deleted, yet still in its old files
    assert result.needs_rewrite
    with open_warehouse(zone.warehouse) as con:
        assert remove_deleted_bytes(con, zone.warehouse, grace_seconds=0) > 0
    raw = decoded_lake(zone.warehouse)
    assert erased not in raw
    assert kept in raw  # the same search finds what is still stored
    assert _ids(zone) == {"e2", "e3", "e9", "e20"}
    after = file_digests(zone.warehouse)
    untouched = [f for f in before if f"delivery_day={other}" in f]
    assert untouched and all(after.get(f) == before[f] for f in untouched)
    assert any(before[f] != after.get(f) for f in before if f"delivery_day={DAY}" in f)


def _late_interval(zone, subject: dict, scope: str) -> None:
    """A refusal at 11:00 and its re-grant at 13:00 of day DAY, delivered after DAY's records."""
    zone.write(
        "privacy/consent",
        [
            {**subject, "ts": f"{DAY}T11:00:00+05:00", "scope": scope, "granted": False},
            {**subject, "ts": f"{DAY}T13:00:00+05:00", "scope": scope, "granted": True},
        ],
    )


def _around_an_interval(zone) -> None:
    """u1 (cookie a1, also alone) and u2 act before, during and after 11:00-13:00; a9 too."""
    zone.events(
        DAY,
        [
            zone.event("before", f"{DAY}T10:00:00+05:00", user_id="u1", anonymous_id="a1"),
            zone.event("during", f"{DAY}T12:00:00+05:00", user_id="u1", anonymous_id="a1"),
            zone.event("during-alone", f"{DAY}T12:30:00+05:00", anonymous_id="a1"),
            zone.event("after", f"{DAY}T14:00:00+05:00", user_id="u1", anonymous_id="a1"),
            zone.event("u2-during", f"{DAY}T12:00:00+05:00", user_id="u2", anonymous_id="a2"),
            zone.event("a9-during", f"{DAY}T12:00:00+05:00", anonymous_id="a9"),
        ],
    )
    zone.searches(
        DAY,
        [
            zone.search(
                "s-during", f"{DAY}T12:10:00+05:00", "ski", user_id="u1", anonymous_id="a1"
            ),
            zone.search("s-after", f"{DAY}T14:10:00+05:00", "ski", user_id="u1", anonymous_id="a1"),
        ],
    )
    zone.ingest(DAY)


def test_a_late_analytics_refusal_removes_the_records_made_while_it_was_in_force(zone) -> None:
    _around_an_interval(zone)
    _late_interval(zone, {"user_id": "u1", "anonymous_id": None}, "analytics")
    result = _purge(zone)

    # the user's and its cookie's records inside the interval go; nobody else loses a row
    assert _ids(zone) == {"before", "after", "u2-during", "a9-during"}
    assert _ids(zone, "searches", "search_id") == {"s-after"}
    audit = _audit(zone)
    assert ("analytics_refusal_interval", None, "ingested.events", "deleted", 2) in audit
    assert ("analytics_refusal_interval", None, "ingested.searches", "deleted", 1) in audit
    assert [row for row in audit if row[0] == "analytics_opt_out"] == []  # re-granted now
    assert result.days == [date(2026, 1, 10)]

    second = _purge(zone)
    assert _ids(zone) == {"before", "after", "u2-during", "a9-during"}
    assert _audit(zone)[len(audit) :] == [("none", None, None, "carried_out", 0)]
    assert not second.needs_rewrite


def test_a_late_refusal_of_a_cookie_reaches_its_users_records(zone) -> None:
    _around_an_interval(zone)
    _late_interval(zone, {"user_id": None, "anonymous_id": "a1"}, "analytics")
    _purge(zone)
    assert _ids(zone) == {"before", "after", "u2-during", "a9-during"}


def test_a_late_personalization_refusal_clears_the_flag_of_its_records_only(zone) -> None:
    _around_an_interval(zone)
    _late_interval(zone, {"user_id": "u1", "anonymous_id": None}, "personalization")
    _purge(zone)

    assert _ids(zone) == {"before", "during", "during-alone", "after", "u2-during", "a9-during"}
    assert zone.query(
        "select event_id from ingested.events where not personalization_allowed order by 1"
    ) == [("during",), ("during-alone",)]
    assert zone.query(
        "select search_id from ingested.searches where not personalization_allowed"
    ) == [("s-during",)]
    assert zone.query("select count(*) from ingested.events where not marketing_allowed") == [(0,)]
    audit = _audit(zone)
    assert audit == [
        ("personalization_refusal_interval", None, "ingested.events", "flag_cleared", 2),
        ("personalization_refusal_interval", None, "ingested.searches", "flag_cleared", 1),
    ]
    _purge(zone)
    assert _audit(zone)[len(audit) :] == [("none", None, None, "carried_out", 0)]


def test_a_late_geolocation_withdrawal_clears_the_location_of_its_records(zone) -> None:
    geo = {"lat": 43.23891, "lon": 76.88972, "accuracy_m": 25}
    zone.write(
        "privacy/consent",
        [
            {
                "user_id": "u1",
                "anonymous_id": None,
                "ts": f"{DAY}T09:00:00+05:00",
                "scope": "geolocation",
                "granted": True,
            }
        ],
    )
    zone.events(
        DAY,
        [
            zone.event("g-during", f"{DAY}T12:00:00+05:00", user_id="u1", geo=geo),
            zone.event("g-after", f"{DAY}T14:00:00+05:00", user_id="u1", geo=geo),
        ],
    )
    zone.ingest(DAY)
    assert zone.query("select count(*) from ingested.events where geo_lat is not null") == [(2,)]
    _late_interval(zone, {"user_id": "u1", "anonymous_id": None}, "geolocation")
    result = _purge(zone)
    assert zone.query("select event_id from ingested.events where geo_lat is not null") == [
        ("g-after",)
    ]
    assert ("geolocation_not_granted", None, "ingested.events", "geo_cleared", 1) in _audit(zone)
    assert result.needs_rewrite
