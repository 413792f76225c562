"""`almaty run` as the data team uses it: real Dagster runs over ranges of delivery days."""

import gzip
from pathlib import Path

import duckdb
import pytest

from privacy.pseudonyms import Pseudonymizer

TS = "{day}T12:00:00+05:00"
DAYS = ("2026-01-10", "2026-01-11", "2026-01-12")


@pytest.fixture
def zone3(cli_zone, run_almaty):
    """Three delivery days of 12 events (users u0..u3) and a search each, and a secret."""
    zone = cli_zone
    for day in DAYS:
        zone.events(
            day,
            [zone.event(f"{day}-{i}", TS.format(day=day), user_id=f"u{i % 4}") for i in range(12)],
        )
        zone.searches(day, [zone.search(f"s-{day}", TS.format(day=day), "hotel medeu")])
    assert run_almaty("secret", "init").returncode == 0
    return zone


def _user_rows(zone, secret_file: str, user: str) -> dict[str, int]:
    pseudonym = Pseudonymizer(bytes.fromhex(Path(secret_file).read_text()), "user")(user)
    rows = zone.query(
        "select delivery_day::varchar, count(*) from ingested.events "
        "where user_pseudonym = ? group by 1",
        [pseudonym],
    )
    return dict(rows)


def test_a_range_is_one_run_with_a_line_per_partition(zone3, run_almaty) -> None:
    result = run_almaty("run")
    assert result.returncode == 0, result.stderr
    for day in DAYS:
        assert f"events {day}: 1 files, read 12, stored 12" in result.stdout
        assert f"searches {day}: 1 files, read 1, stored 1" in result.stdout
    assert "events: read 36, stored 36" in result.stdout
    assert zone3.query("select count(*) from ingested.events") == [(36,)]
    home = Path(zone3.warehouse).parent / "dagster"
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        assert len(instance.get_runs()) == 1


def test_a_backfill_after_an_erasure_brings_nothing_back(zone3, run_almaty, almaty_env):
    assert run_almaty("run").returncode == 0
    secret = almaty_env["ALMATY_SECRET_KEY_FILE"]
    assert _user_rows(zone3, secret, "u1") == {day: 3 for day in DAYS}
    zone3.write(
        "privacy/erasure_requests",
        [
            {
                "request_id": "er_000001",
                "user_id": "u1",
                "requested_at": "2026-01-20T10:00:00+05:00",
                "outstanding_obligations": False,
                "settled_at": None,
            }
        ],
    )
    result = run_almaty("run", "--from", "2026-01-10", "--to", "2026-01-11")
    assert result.returncode == 0, result.stderr
    assert "dropped 3 (erasure 3)" in result.stdout
    assert _user_rows(zone3, secret, "u1") == {}  # the purge took the day not re-run too
    assert _user_rows(zone3, secret, "u2") == {day: 3 for day in DAYS}


def _published_page_views(almaty_env) -> dict[str, int]:
    published = Path(almaty_env["ALMATY_WAREHOUSE"]) / "published.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select activity_date::varchar, sum(page_views)::int from marts.fct_traffic_daily "
            "group by 1"
        ).fetchall()
    return dict(rows)


def test_an_unreadable_day_fails_alone_and_the_run_goes_on(cli_zone, run_almaty, almaty_env):
    """Three days; then a broken gzip file in the middle one and more events in the others:
    the first and the last are stored again, modelled and published, the middle one keeps
    what it held, and the run ends with one line naming the day and its file."""
    assert run_almaty("secret", "init").returncode == 0
    for day in DAYS:
        cli_zone.events(day, [cli_zone.event(f"{day}-{i}", TS.format(day=day)) for i in range(12)])
    assert run_almaty("run").returncode == 0
    assert _published_page_views(almaty_env) == dict.fromkeys(DAYS, 12)
    broken = cli_zone.root / f"events/date={DAYS[1]}/late.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"x": 1}\n' * 50_000)[:-40])
    for day in (DAYS[0], DAYS[2]):
        cli_zone.events(day, [cli_zone.event(f"{day}-late", TS.format(day=day))])
    result = run_almaty("run")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"delivery day {DAYS[1]}" in line and "late.jsonl.gz" in line
    assert DAYS[0] not in line and DAYS[2] not in line
    stored = cli_zone.query(
        "select delivery_day::varchar, count(*) from ingested.events group by 1"
    )
    assert dict(stored) == {DAYS[0]: 13, DAYS[1]: 12, DAYS[2]: 13}
    assert _published_page_views(almaty_env) == {DAYS[0]: 13, DAYS[1]: 12, DAYS[2]: 13}
    # Dagster shows the day's failure as a failed check, and the run went on to the export
    from dagster import AssetKey, DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(Path(cli_zone.warehouse).parent / "dagster")) as dagster:
        run = dagster.get_runs(limit=1)[0]
        checks = {
            (e.asset_key.to_user_string(), e.check_name): e
            for e in (
                entry.get_dagster_event().asset_check_evaluation_data
                for entry in dagster.all_logs(
                    run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
                )
            )
        }
        export = dagster.get_latest_materialization_event(AssetKey("recommendations"))
    for feed in ("events", "searches"):
        evaluation = checks[(feed, "every_day_read")]
        assert not evaluation.passed and not evaluation.blocking
        assert evaluation.metadata["days_not_read"].value == [DAYS[1]]
    assert export is not None and export.run_id == run.run_id


def test_an_unreadable_day_on_a_new_warehouse_keeps_no_other_day_from_the_marts(
    cli_zone, run_almaty, almaty_env
):
    """The first run ever, with the middle day unreadable: the others are published anyway,
    the gap being a day that could not be read, not a day the marts lost."""
    assert run_almaty("secret", "init").returncode == 0
    for day in DAYS:
        cli_zone.events(day, [cli_zone.event(f"{day}-{i}", TS.format(day=day)) for i in range(12)])
    (cli_zone.root / f"events/date={DAYS[1]}/broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08")
    result = run_almaty("run")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert f"delivery day {DAYS[1]}" in line and "broken.jsonl.gz" in line
    assert _published_page_views(almaty_env) == {DAYS[0]: 12, DAYS[2]: 12}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--from", "2026-01-12", "--to", "2026-01-10"), "is after"),
        (("--from", "2031-01-01", "--to", "2031-01-02"), "not complete"),
    ],
)
def test_bad_ranges_are_one_line_errors(zone3, run_almaty, args, fragment) -> None:
    result = run_almaty("run", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and fragment in result.stderr


def test_run_needs_a_secret_and_a_landing_zone(run_almaty, almaty_env) -> None:
    Path(almaty_env["ALMATY_LANDING_DIR"]).mkdir(parents=True)
    no_secret = run_almaty("run")
    assert no_secret.returncode == 2 and "almaty secret init" in no_secret.stderr
    assert no_secret.stderr.count("\n") == 1
    env = {**almaty_env, "ALMATY_LANDING_DIR": almaty_env["ALMATY_LANDING_DIR"] + "-missing"}
    no_landing = run_almaty("run", env=env)
    assert no_landing.returncode == 2 and "almaty generate" in no_landing.stderr


def test_a_link_seen_only_on_a_later_day_covers_earlier_days(cli_zone, run_almaty) -> None:
    """Day 1: anonymous a9 browses. Day 2: a9 searches logged in as u9, who opted out."""
    assert run_almaty("secret", "init").returncode == 0
    cli_zone.events(
        "2026-01-10",
        [cli_zone.event("anon-1", "2026-01-10T10:00:00+05:00", anonymous_id="a9")],
    )
    cli_zone.searches(
        "2026-01-11",
        [
            cli_zone.search(
                "s-2", "2026-01-11T10:00:00+05:00", "ski pass", anonymous_id="a9", user_id="u9"
            )
        ],
    )
    cli_zone.write(
        "privacy/consent",
        [
            {
                "user_id": "u9",
                "anonymous_id": None,
                "ts": "2026-01-01T00:00:00+05:00",
                "scope": "analytics",
                "granted": False,
            }
        ],
    )
    result = run_almaty("run")
    assert result.returncode == 0, result.stderr
    assert cli_zone.query("select count(*) from ingested.events") == [(0,)]
    assert cli_zone.query("select count(*) from ingested.searches") == [(0,)]


def test_a_dbt_that_cannot_run_fails_the_run_and_publishes_nothing(
    zone3, run_almaty, almaty_env
) -> None:
    """dbt stopping (here on a profile target it lacks) is a failed run naming dbt's error,
    never "done" with marts and copies left as they were."""
    result = run_almaty("run", env={**almaty_env, "DBT_TARGET": "nowhere"})
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "models failed: dbt" in line and "nowhere" in line and "Traceback" not in line
    assert "published" not in result.stdout
    published = Path(almaty_env["ALMATY_WAREHOUSE"]) / "published.duckdb"
    assert not published.exists()
