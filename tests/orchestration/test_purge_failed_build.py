"""A purge whose run then fails in dbt: the published copies and the exports are purged anyway.

Real `almaty` runs: three days of twelve users; then u1 asks for erasure (free to run), u2
refuses analytics, a fourth day arrives, and the next `almaty run` purges, then fails in dbt.
The failure is a data test on the audit: the warehouse's audit holds a rule this dbt project
does not accept yet, as when the purge learns a rule before dbt's accepted values do. Then a
purge with nothing to do runs (and fails in dbt again) without touching the copies.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.lake import connect_lake
from privacy.pseudonyms import Pseudonymizer
from serving.published_copy import serving_copy_version
from tests.conftest import Zone, almaty_command, first_run
from tests.lake_files import stored_bytes
from tests.orchestration.test_purge_run import DAYS, LATER, USERS, _rows_per_subject, _write_zone

NEW_DAY = "2026-01-13"
LAKE, PUBLISHED = "warehouse", "warehouse/published.duckdb"
COPIES = (LAKE, PUBLISHED)
KEPT_FOR_OPT_OUT = {"ingested.consent_changes", "ingested.identity_links"}


def _change_feeds(zone: Zone) -> None:
    zone.write(
        "privacy/erasure_requests",
        [{"request_id": "er_000001", "user_id": "u1", "requested_at": LATER,
          "outstanding_obligations": False, "settled_at": None}],
    )  # fmt: skip
    zone.write(
        "privacy/consent",
        [{"user_id": "u2", "anonymous_id": None, "ts": LATER, "scope": "analytics",
          "granted": False}],
    )  # fmt: skip
    zone.events(
        NEW_DAY,
        [
            zone.event(f"{NEW_DAY}-{user}", f"{NEW_DAY}T12:00:00+05:00", user_id=user,
                       anonymous_id=f"a{n}", event_type="listing_view", listing_id="lst_1")
            for n, user in enumerate(USERS)
        ],
    )  # fmt: skip


def _audit_rule_dbt_does_not_know(warehouse: Path) -> None:
    with connect_lake(warehouse) as con:
        con.execute(
            "insert into ingested.privacy_audit values ('later-purge', now(), "
            "'consent_expired', null, null, 'carried_out', 0)"
        )


def _export_strings(export_dir: Path) -> dict[str, set[str]]:
    """Every string value of every export file, per file."""
    values: dict[str, set[str]] = {}
    for path in sorted(export_dir.rglob("*.parquet")):
        table = pq.read_table(path)
        values[str(path.relative_to(export_dir))] = {
            value
            for column in table.itercolumns()
            if pa.types.is_string(column.type)
            for value in column.to_pylist()
        }
    return values


def _newest_delivery_day(published: Path) -> date:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select newest_delivery_day from marts.publication").fetchall()[0][0]


def _run(env: dict[str, str], *args: str):
    return almaty_command(env, *args, timeout=900)


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("purge-failed-build")
    env, zone, secret = first_run(root, _write_zone)
    user, anonymous = Pseudonymizer(secret, "user"), Pseudonymizer(secret, "anonymous")
    subjects = {"u1": user("u1"), "a1": anonymous("a1"), "u2": user("u2"), "a2": anonymous("a2")}
    before = {
        "copies": {copy: _rows_per_subject(root / copy, subjects) for copy in COPIES},
        "exports": _export_strings(root / "exports"),
        "newest": _newest_delivery_day(root / "warehouse" / "published.duckdb"),
    }
    _change_feeds(zone)
    _audit_rule_dbt_does_not_know(root / "warehouse")
    failed = _run(env, "run")
    after = serving_copy_version(root / PUBLISHED)
    state = {
        "copies": {copy: _rows_per_subject(root / copy, subjects) for copy in COPIES},
        "bytes": {copy: stored_bytes(root / copy) for copy in COPIES},
        "exports": _export_strings(root / "exports"),
        "export_bytes": b"".join(p.read_bytes() for p in sorted((root / "exports").rglob("*.*"))),
        "newest": _newest_delivery_day(root / "warehouse" / "published.duckdb"),
    }
    nothing = _run(env, "privacy", "purge")
    yield {
        "root": root,
        "subjects": subjects,
        "before": before,
        "failed": failed,
        "after": state,
        "nothing": nothing,
        "versions": (after, serving_copy_version(root / PUBLISHED)),
    }
    shutil.rmtree(root, ignore_errors=True)


def test_the_run_reports_the_failed_dbt_test_after_purging(failed_build) -> None:
    failed = failed_build["failed"]
    assert failed.returncode == 1, failed.stdout + failed.stderr
    [line] = failed.stderr.strip().splitlines()
    assert "stg_privacy_audit" in line and "failed" in line and "Traceback" not in line
    assert "erasure request(s) carried out" in failed.stdout
    assert "purge: published.duckdb published again without the purged rows" in failed.stdout


def test_neither_the_lake_nor_the_copy_keeps_a_row_of_the_purged(failed_build) -> None:
    subjects, before, after = (failed_build[k] for k in ("subjects", "before", "after"))
    assert {n for _, n in before["copies"][LAKE]} >= {"u1", "u2"}, "control"
    left = after["copies"][LAKE]
    assert {n for _, n in left} & {"u1", "a1"} == set()
    # an analytics opt-out keeps only the choice and the links that apply it
    assert {t for t, n in left if n in ("u2", "a2")} <= KEPT_FOR_OPT_OUT
    for copy in COPIES:
        for name in ("u1", "a1"):
            assert subjects[name].encode() not in after["bytes"][copy], (name, copy)
    assert before["copies"][PUBLISHED] == after["copies"][PUBLISHED] == {}  # nobody, ever


def test_no_export_keeps_a_row_of_the_purged(failed_build) -> None:
    subjects, before, after = (failed_build[k] for k in ("subjects", "before", "after"))
    assert any(subjects["u1"] in values for values in before["exports"].values()), "control"
    assert any(subjects["u2"] in values for values in before["exports"].values()), "control"
    assert set(after["exports"]) == set(before["exports"])  # no new version: dbt failed
    for file, values in after["exports"].items():
        assert not values & set(subjects.values()), file
    for pseudonym in subjects.values():
        assert pseudonym.encode() not in after["export_bytes"]


def test_the_dashboards_copy_still_says_which_days_its_marts_were_built_from(failed_build):
    # the fourth day was ingested but never modelled: the copy's marts are those of day three
    assert failed_build["before"]["newest"] == date.fromisoformat(DAYS[-1])
    assert failed_build["after"]["newest"] == date.fromisoformat(DAYS[-1])


def test_a_purge_with_nothing_to_do_leaves_the_copies_alone(failed_build) -> None:
    nothing = failed_build["nothing"]
    assert nothing.returncode == 1  # the audit's unknown rule still fails dbt
    assert "purge: nothing to remove" in nothing.stdout
    assert "published again" not in nothing.stdout
    after_failed, after_nothing = failed_build["versions"]
    assert after_nothing == after_failed is not None
