"""The purge as the data team runs it: `almaty run`, the privacy feeds change, `almaty privacy
purge`; then every table, published copy, export and service answer is checked, and a backfill.

One module-scoped scenario (three real Dagster runs) keeps the time modest: twelve users
browse eight listings for three days; then u1 asks for erasure (free to run), u2 refuses
analytics, u3 refuses personalization and u5 asks for erasure while owing money.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from privacy.pseudonyms import Pseudonymizer
from recommender.export import RECOMMENDATIONS
from recommender.service import create_app
from tests.conftest import Zone, almaty_command, first_run, record_name
from tests.lake_files import open_store, stored_bytes
from tests.recommender.test_service import running

DAYS = ("2026-01-10", "2026-01-11", "2026-01-12")
USERS = [f"u{n}" for n in range(12)]
LATER = "2026-01-20T10:00:00+05:00"
TOKEN = "purge-test-token-0123456789"
LAKE, PUBLISHED = "warehouse", "warehouse/published.duckdb"
COPIES = (LAKE, PUBLISHED)


def _write_zone(zone: Zone) -> None:
    for d, day in enumerate(DAYS):
        zone.events(
            day,
            [
                zone.event(
                    f"{day}-{user}-{k}",
                    f"{day}T1{k}:00:00+05:00",
                    user_id=user,
                    anonymous_id=f"a{n}",
                    event_type="listing_view",
                    listing_id=f"lst_{(n + k + d) % 8}",
                )
                for n, user in enumerate(USERS)
                for k in range(3)
            ],
        )
        zone.searches(
            day,
            [
                zone.search(f"s-{day}-{user}", f"{day}T09:00:00+05:00", "hotel medeu",
                            user_id=user, anonymous_id=f"a{n}")
                for n, user in enumerate(USERS)
            ],
        )  # fmt: skip
    zone.write(
        "catalog/listings",
        [
            {
                "listing_id": f"lst_{n}",
                "category": ("accommodation", "tour")[n % 2],
                "updated_at": "2025-11-01T10:00:00+05:00",
                "title": f"Place {n}",
                "district": "Medeu",
                "lat": 43.13,
                "lon": 77.08,
                "price_kzt": 60000.0,
                "owner_user_id": "u1" if n == 0 else "u0",
                "posted_at": "2025-11-01T10:00:00+05:00",
                "expires_at": None,
                "deleted_at": None,
                "promoted_until": None,
            }
            for n in range(8)
        ],
    )


def _change_feeds(zone: Zone) -> None:
    zone.write(
        "privacy/erasure_requests",
        [
            {"request_id": "er_000001", "user_id": "u1", "requested_at": LATER,
             "outstanding_obligations": False, "settled_at": None},
            {"request_id": "er_000002", "user_id": "u5", "requested_at": LATER,
             "outstanding_obligations": True, "settled_at": None},
        ],
    )  # fmt: skip
    zone.write(
        "privacy/consent",
        [
            {"user_id": user, "anonymous_id": None, "ts": LATER, "scope": scope, "granted": False}
            for user, scope in (("u2", "analytics"), ("u3", "personalization"))
        ]
        # u7 refused analytics for an hour of 2026-01-11 and granted it again; delivered late
        + [
            {"user_id": "u7", "anonymous_id": None, "ts": f"2026-01-11T1{t}:30:00+05:00",
             "scope": "analytics", "granted": granted}
            for t, granted in ((0, False), (1, True))
        ],
    )  # fmt: skip


def _rows_per_subject(path: Path, subjects: dict[str, str]) -> dict[tuple[str, str], int]:
    """(table, name) -> rows holding the subject's pseudonym in any column, over every table
    (views, such as dbt's staging, show the same rows and are left out)."""
    counts: dict[tuple[str, str], int] = {}
    with open_store(path) as con:
        columns = con.execute(
            "select c.schema_name || '.' || c.table_name, list(c.column_name) "
            "from duckdb_columns() c join duckdb_tables() t using (database_name, schema_name, "
            "table_name) where c.database_name = current_database() "
            "and c.data_type = 'VARCHAR' group by all"
        ).fetchall()
        for table, names in columns:
            for name, pseudonym in subjects.items():
                condition = " or ".join(f'"{c}" = ?' for c in names)
                [(rows,)] = con.execute(
                    f"select count(*) from {table} where {condition}", [pseudonym] * len(names)
                ).fetchall()
                if rows:
                    counts[table, name] = rows
    return counts


def _service_reasons(url: str, user: str) -> set[str]:
    answer = httpx.get(
        f"{url}/v1/users/{user}/recommendations",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return {item["reason"] for item in answer.json()["items"]}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return almaty_command(env, *args, timeout=900)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("purge")
    env, zone, secret = first_run(root, _write_zone)
    user, anon = Pseudonymizer(secret, "user"), Pseudonymizer(secret, "anonymous")
    subjects = {name: user(name) for name in USERS} | {"a1": anon("a1"), "a2": anon("a2")}
    before = {
        "rows": _rows_per_subject(root / "warehouse", subjects),
        "bytes": {copy: stored_bytes(root / copy) for copy in COPIES},
        "traffic": dict(_query(root / "warehouse" / "published.duckdb", _TRAFFIC)),
    }
    app = create_app(root / "exports", user, TOKEN)
    with running(app) as url:
        before["service"] = {name: _service_reasons(url, name) for name in ("u1", "u3", "u4")}
        version = (root / "exports" / RECOMMENDATIONS / "latest").read_text().strip()
        _change_feeds(zone)
        purge = _run(env, "privacy", "purge")
        assert purge.returncode == 0, purge.stderr
        # the service follows `latest` on its own; wait until it serves the new version
        for _ in range(100):
            served = httpx.get(f"{url}/healthz", timeout=5).json()["version"]
            if served != version:
                break
            time.sleep(0.1)
        after_service = {name: _service_reasons(url, name) for name in ("u1", "u3", "u4")}
    yield {
        "root": root,
        "env": env,
        "zone": zone,
        "subjects": subjects,
        "before": before,
        "after_service": after_service,
        "purge_output": purge.stdout,
    }
    shutil.rmtree(root, ignore_errors=True)


_TRAFFIC = "select activity_date::varchar, sum(visitors) from marts.fct_traffic_daily group by 1"


def _query(path: Path, sql: str) -> list[tuple]:
    with open_store(path) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()


def test_erased_and_opted_out_subjects_are_gone_from_every_table(scenario) -> None:
    root, subjects, before = scenario["root"], scenario["subjects"], scenario["before"]
    after = _rows_per_subject(root / "warehouse", subjects)
    for name in ("u1", "a1", "u2", "a2"):
        assert [t for t, n in before["rows"] if n == name], f"positive control: {name} was stored"
    gone = {(t, n) for t, n in after if n in ("u1", "a1")}
    assert gone == set()
    # an analytics opt-out keeps only the choice and the links that apply it
    assert {t for t, n in after if n in ("u2", "a2")} <= {
        "ingested.consent_changes",
        "ingested.identity_links",
    }
    # u3 refused personalization: its rows stay, it leaves the recommender input
    for table in ("ingested.events", "ingested.searches", "intermediate.int_sessions"):
        assert after[table, "u3"] == before["rows"][table, "u3"]
    assert ("marts.fct_user_listing_interactions", "u3") not in after
    # nobody else lost a row, anywhere
    others = [n for n in subjects if n not in ("u1", "a1", "u2", "a2", "u3", "u7")]
    assert {k: v for k, v in after.items() if k[1] in others} == {
        k: v for k, v in before["rows"].items() if k[1] in others
    }
    # u1 owned listing L0: it stays, without its owner
    assert _query(root / "warehouse", "select listing_id from ingested.listing_versions "
                  "where owner_pseudonym is null") == [("lst_0",)]  # fmt: skip


def test_a_late_refusal_removes_only_what_was_made_during_it_and_is_published(scenario) -> None:
    root, subjects, before = scenario["root"], scenario["subjects"], scenario["before"]
    stored = _query(root / "warehouse", "select event_id from ingested.events")
    events = {record_name(event_id) for (event_id,) in stored}
    assert "2026-01-11-u7-1" not in events  # made at 11:00, inside 10:30-11:30
    assert {"2026-01-11-u7-0", "2026-01-11-u7-2", "2026-01-10-u7-1"} <= events
    after = _rows_per_subject(root / "warehouse", {"u7": subjects["u7"]})
    assert after["ingested.events", "u7"] == before["rows"]["ingested.events", "u7"] - 1
    assert after["ingested.searches", "u7"] == before["rows"]["ingested.searches", "u7"]
    audit = _query(
        root / "warehouse" / "published.duckdb",
        "select table_name, change, rows from marts.fct_privacy_audit "
        "where rule = 'analytics_refusal_interval'",
    )
    assert ("ingested.events", "deleted", 1) in audit


def test_the_lake_and_the_copy_hold_nothing_of_them_and_daily_marts_are_rebuilt(scenario) -> None:
    root, subjects = scenario["root"], scenario["subjects"]
    left = _rows_per_subject(root / LAKE, subjects)
    assert {n for _, n in left} & {"u1", "a1"} == set()
    assert {t for t, n in left if n == "u2"} <= {
        "ingested.consent_changes",
        "ingested.identity_links",
    }
    assert ("marts.fct_user_listing_interactions", "u3") not in left  # no personalization
    assert ("marts.fct_user_listing_interactions", "u4") in left
    assert _rows_per_subject(root / PUBLISHED, subjects) == {}  # no row about a person
    traffic = dict(_query(root / "warehouse" / "published.duckdb", _TRAFFIC))
    assert scenario["before"]["traffic"] == {day: 12 for day in DAYS}
    assert traffic == {day: 10 for day in DAYS}  # u1 and u2 no longer counted


def test_the_raw_bytes_of_a_purged_pseudonym_are_gone_from_every_file(scenario) -> None:
    root, subjects, before = scenario["root"], scenario["subjects"], scenario["before"]
    after = stored_bytes(root / LAKE)
    for name in ("u1", "a1"):
        assert subjects[name].encode() in before["bytes"][LAKE], f"control: {name}"
        assert subjects[name].encode() not in after, name
    assert subjects["u4"].encode() in after  # the same search finds the kept
    for name in subjects:  # the dashboards' copy never held anyone
        assert subjects[name].encode() not in before["bytes"][PUBLISHED], name


def test_every_export_version_on_disk_leaves_them_out(scenario) -> None:
    root, subjects = scenario["root"], scenario["subjects"]
    versions = sorted(p for p in (root / "exports" / RECOMMENDATIONS).iterdir() if p.is_dir())
    assert len(versions) == 2
    for version in versions:
        users = set(
            pq.read_table(version / "users.parquet").column("subject_pseudonym").to_pylist()
        )
        assert not users & {subjects["u1"], subjects["u2"], subjects["u3"]}, version.name
        assert subjects["u4"] in users
        manifest = json.loads((version / "manifest.json").read_text())
        assert (
            manifest["row_counts"]["users"] == pq.read_metadata(version / "users.parquet").num_rows
        )


def test_the_service_answers_popular_for_them_at_once(scenario) -> None:
    assert scenario["before"]["service"]["u1"] != {"popular"}  # lists of their own before
    assert scenario["before"]["service"]["u3"] != {"popular"}
    assert scenario["after_service"]["u1"] == {"popular"}
    assert scenario["after_service"]["u3"] == {"popular"}
    assert scenario["after_service"]["u4"] != {"popular"}


def test_the_audit_and_request_states_are_published_for_the_privacy_page(scenario) -> None:
    published = scenario["root"] / PUBLISHED
    requests = _query(
        published,
        "select request_id, state, state_reason, erased_at is not null "
        "from marts.fct_erasure_requests order by 1",
    )
    assert requests == [
        ("er_000001", "done", "no outstanding obligations", True),
        ("er_000002", "deferred", "outstanding obligations", False),
    ]
    audit = _query(
        published,
        "select rule, request_id, table_name, change, rows from marts.fct_privacy_audit "
        "where rule <> 'none'",
    )
    tables = {(rule, table) for rule, _, table, change, _ in audit if change == "deleted"}
    assert ("erasure", "ingested.events") in tables
    assert ("erasure", "ingested.identity_links") in tables
    assert ("analytics_opt_out", "ingested.events") in tables
    assert ("erasure", "er_000001", None, "carried_out") in {row[:4] for row in audit}
    exported = {(rule, change) for rule, _, _, change, _ in audit}
    assert ("personalization_opt_out", "export_rows_deleted") in exported
    # the deferred request's user keeps every row until it is settled
    assert ("ingested.events", "u5") in _rows_per_subject(
        scenario["root"] / "warehouse", {"u5": scenario["subjects"]["u5"]}
    )
    assert "erasure request(s) carried out" in scenario["purge_output"]


def test_an_access_request_explains_every_field_and_prints_no_pseudonym(scenario) -> None:
    env, root = scenario["env"], scenario["root"]
    out = root / "u4.json"
    result = _run(env, "privacy", "access", "--user-id", "u4", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    report = json.loads(text)
    assert report["found"] is True
    assert len(report["tables"]["ingested.events"]["rows"]) == 9
    assert len(report["tables"]["ingested.searches"]["rows"]) == 3
    for table in report["tables"].values():
        assert table["fields"] and all(table["fields"].values()), table["fields"]
        assert set(table["rows"][0]) == set(table["fields"])
    assert report["tables"]["ingested.events"]["rows"][0]["user_pseudonym"] == "your account"
    assert "ip_network" in report["tables"]["ingested.events"]["fields"]
    assert "never stored" in report["tables"]["ingested.events"]["fields"]["ip_network"]
    for pseudonym in scenario["subjects"].values():
        assert pseudonym not in text and pseudonym not in result.stdout + result.stderr


def test_an_unknown_user_gets_a_plain_empty_answer(scenario) -> None:
    result = _run(scenario["env"], "privacy", "access", "--user-id", "never-seen")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["found"] is False and report["tables"] == {}
    assert "holds nothing" in report["summary"]


def test_an_erased_user_finds_only_their_carried_out_request(scenario) -> None:
    result = _run(scenario["env"], "privacy", "access", "--user-id", "u1")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report["tables"]) == ["ingested.erasure_requests"]
    [request] = report["tables"]["ingested.erasure_requests"]["rows"]
    assert request["request_id"] == "er_000001" and request["state"] == "done"
    assert request["user_digest"] == "your account (digest)"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--user-id", ""), "--user-id"),
        (("--user-id", "u4", "--out", "/nonexistent/folder/x.json"), "does not exist"),
        ((), "--user-id"),
    ],
)
def test_bad_access_arguments_are_one_line_errors(scenario, args, fragment) -> None:
    result = _run(scenario["env"], "privacy", "access", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and fragment in result.stderr


def test_settlement_time_passing_and_a_backfill_bring_nothing_back(scenario) -> None:
    """At the next run: u5 has settled, u6's account (ended 2026-01-15) is three years gone,
    and two old delivery days are ingested again after u1's erasure."""
    root, subjects, zone = scenario["root"], scenario["subjects"], scenario["zone"]
    zone.write(
        "privacy/erasure_requests",
        [{"request_id": "er_000002", "user_id": "u5", "requested_at": LATER,
          "outstanding_obligations": True, "settled_at": "2026-02-01T10:00:00+05:00"}],
    )  # fmt: skip
    zone.write(
        "privacy/accounts",
        [{"user_id": "u6", "ts": "2026-01-15T10:00:00+05:00", "status": "terminated"}],
    )
    before = _rows_per_subject(root / "warehouse", subjects)
    env = {**scenario["env"], "ALMATY_AS_OF": "2029-02-01"}
    result = _run(env, "run", "--from", DAYS[0], "--to", DAYS[1])
    assert result.returncode == 0, result.stderr
    assert "erasure" in result.stdout  # ingestion dropped the erased users' records again
    for copy in COPIES:
        left = {n for _, n in _rows_per_subject(root / copy, subjects)}
        assert left & {"u1", "a1", "u5", "u6"} == set(), copy
        for name in ("u1", "u5", "u6"):
            assert subjects[name].encode() not in stored_bytes(root / copy), (name, copy)
    after = _rows_per_subject(root / "warehouse", subjects)
    kept = [n for n in subjects if n not in ("u1", "a1", "u2", "a2", "u3", "u5", "u6")]
    for table in ("ingested.events", "ingested.searches", "intermediate.int_sessions"):
        for name in kept:
            assert after[table, name] == before[table, name], (table, name)
    published = root / "warehouse" / "published.duckdb"
    requests = _query(
        published,
        "select request_id, state, state_reason, erased_at is not null "
        "from marts.fct_erasure_requests order by 1",
    )
    assert requests[1] == ("er_000002", "done", "obligations settled", True)
    audit = set(
        _query(
            published,
            "select rule, request_id, table_name from marts.fct_privacy_audit "
            "where change = 'deleted'",
        )
    )
    assert ("erasure", "er_000002", "ingested.events") in audit
    assert ("retention", None, "ingested.events") in audit
