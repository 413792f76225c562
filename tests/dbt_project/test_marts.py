"""The marts, built by the real pipeline on the generated zone, against figures computed
independently from the landing files."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingestion.lake import connect_lake
from orchestration.dbt_manifest import dbt_command
from privacy.user_agent import describe_user_agent
from serving.published_copy import PERSON_MARTS
from tests.generated import AS_OF, query, records, refusing_personalization

ALMATY = ZoneInfo("Asia/Almaty")
# the letters the query_language macro tells Kazakh ($1) and other Cyrillic ($2) by
LANGUAGES = ["[\u04d9\u0493\u049b\u04a3\u04e9\u04b1\u04af\u04bb\u0456]", "[\u0430-\u044f\u0451]"]
GROUP_MARTS = {  # mart -> its distinct-subject column
    "fct_traffic_daily": "visitors",
    "fct_searches_daily": "searchers",
    "fct_listings_daily": "visitors",
    "fct_adverts_daily": "viewers",
}


def _moment(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def _dbt(command: str, warehouse: Path, **variables) -> subprocess.CompletedProcess[str]:
    args = {"warehouse": str(warehouse), "as_of": AS_OF.isoformat(), **variables}
    return subprocess.run(
        dbt_command([*command.split(), "--vars", json.dumps(args)]),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def ungrouped(generated_run: dict, tmp_path_factory) -> Path:
    """A copy of the warehouse whose listing mart is rebuilt with no small-group folding."""
    copy = tmp_path_factory.mktemp("ungrouped") / "warehouse"
    shutil.copytree(generated_run["warehouse"], copy)
    result = _dbt("run --select fct_listings_daily --full-refresh", copy, min_group_size=1)
    assert result.returncode == 0, result.stdout[-2000:]
    return copy


def _latest_categories(landing: Path) -> dict[str, str]:
    latest: dict[str, tuple[datetime, str]] = {}
    for _, _, record, verdict in records(landing, "listings"):
        if record is None or verdict is not None:
            continue
        stamp = (_moment(record["updated_at"]), record["category"])
        if record["listing_id"] not in latest or stamp > latest[record["listing_id"]]:
            latest[record["listing_id"]] = stamp
    return {listing: category for listing, (_, category) in latest.items()}


def test_bookings_and_revenue_per_category_and_day_match_the_landing_files(
    generated_run: dict, ungrouped: Path
) -> None:
    stored = {
        event_id
        for (event_id,) in query(
            generated_run, "select event_id from ingested.events where event_type = 'booking'"
        )
    }
    categories = _latest_categories(generated_run["landing"])
    expected: dict[tuple[date, str], list] = defaultdict(lambda: [0, 0.0])
    seen = set()
    for _, _, record, verdict in records(generated_run["landing"], "events"):
        if verdict is not None or record["event_type"] != "booking":
            continue
        # Privacy rules decide which bookings are stored (tested on their own); this test is
        # about what the models make of them, so it follows ingestion's choice of records.
        if record["event_id"] not in stored or record["event_id"] in seen:
            continue
        seen.add(record["event_id"])
        if describe_user_agent(record.get("user_agent")).is_bot:
            continue
        day = _moment(record["ts"]).astimezone(ALMATY).date()
        key = (day, categories.get(record["listing_id"], "unknown"))
        expected[key][0] += 1
        expected[key][1] += record["amount_kzt"]
    with connect_lake(ungrouped, read_only=True) as con:
        built = {
            (day, category): [bookings, revenue]
            for day, category, bookings, revenue in con.execute(
                "select activity_date, category, sum(bookings), sum(revenue_kzt) "
                "from marts.fct_listings_daily group by all having sum(bookings) > 0"
            ).fetchall()
        }
    assert len(expected) > 20
    assert built == {
        key: [count, pytest.approx(revenue)] for key, (count, revenue) in expected.items()
    }


def test_no_dashboard_figure_rests_on_fewer_than_ten_people(generated_run: dict) -> None:
    for mart, subjects in GROUP_MARTS.items():
        rows = query(generated_run, f"select count(*), min({subjects}) from marts.{mart}")
        assert rows[0][0] > 0 and rows[0][1] >= 10, mart
    # Every query shown by name was typed by at least ten people that day.
    shown = query(
        generated_run,
        """
        select m.search_date, m.query, count(distinct s.anonymous_pseudonym)
        from marts.fct_searches_daily as m
        join staging.stg_searches as s
          on s.activity_date = m.search_date and s.query = m.query and not s.is_bot
        where m.query <> 'other'
        group by all
        """,
    )
    assert shown and min(people for _, _, people in shown) >= 10
    assert (
        query(generated_run, "select count(*) from marts.fct_searches_daily where query = 'other'")[
            0
        ][0]
        > 0
    )


def test_every_top_filter_value_shown_was_used_by_ten_people(generated_run: dict) -> None:
    """Each group's searches found again from the stored ones: a query not shown by name that
    day in its language is in 'other'. The dbt unit test of fct_searches_daily covers ties and
    values used often but by too few."""
    checked = 0
    for top, column in [
        ("top_category", "filter_category"),
        ("top_district", "filter_district"),
        ("top_guests", "filter_guests"),
    ]:
        shown = query(
            generated_run,
            f"""
            with searches as (
                select
                    activity_date, query, anonymous_pseudonym, {column} as value,
                    case
                        when regexp_matches(query, $1) then 'kk'
                        when regexp_matches(query, $2) then 'ru'
                        when regexp_matches(query, '[a-z]') then 'en'
                        else 'unknown'
                    end as query_language
                from staging.stg_searches
                where not is_bot
            ),
            named as (
                select search_date as activity_date, query, query_language
                from marts.fct_searches_daily
                where query <> 'other'
            ),
            grouped as (
                select s.*, coalesce(n.query, 'other') as shown_query
                from searches as s
                left join named as n using (activity_date, query, query_language)
            )
            select
                m.search_date, m.query, m.query_language, m.{top},
                count(distinct g.anonymous_pseudonym)
            from marts.fct_searches_daily as m
            left join grouped as g
              on g.activity_date = m.search_date and g.shown_query = m.query
              and g.query_language = m.query_language and g.value = m.{top}
            where m.{top} is not null
            group by all
            """,
            LANGUAGES,
        )
        assert all(people >= 10 for *_, people in shown), (top, shown)
        checked += len(shown)
    assert checked >= 10


def test_small_groups_fold_into_other_without_losing_their_figures(
    generated_run: dict, ungrouped: Path
) -> None:
    """Listings seen by few people count under 'other' in their category; only an 'other'
    group still too small is left out."""
    with connect_lake(ungrouped, read_only=True) as con:
        total = con.execute("select sum(views) from marts.fct_listings_daily").fetchall()[0][0]
    folded = query(
        generated_run,
        "select sum(views), count(*) filter (where listing_id = 'other') "
        "from marts.fct_listings_daily",
    )[0]
    assert folded[1] > 0
    assert 0.8 * total < folded[0] <= total


def test_recommender_input_leaves_out_refusals_and_bots(generated_run: dict) -> None:
    refusing = refusing_personalization(generated_run["landing"], generated_run["secret"])
    subjects = {
        s
        for (s,) in query(
            generated_run, "select subject_pseudonym from marts.fct_user_listing_interactions"
        )
    }
    assert refusing and len(subjects) > 100
    assert not subjects & refusing
    bots = query(
        generated_run,
        """
        select count(*) from marts.fct_user_listing_interactions as i
        where i.subject_pseudonym in (
            select coalesce(user_pseudonym, anonymous_pseudonym) from ingested.events
            group by 1 having bool_and(is_bot)
        )
        """,
    )
    assert bots[0][0] == 0
    weakest = query(generated_run, "select min(strength) from marts.fct_user_listing_interactions")
    assert weakest[0][0] > 0


def test_compliance_mart_counts_the_lines_the_contract_rejects(generated_run: dict) -> None:
    expected: Counter = Counter()
    for feed in ("events", "searches"):
        for source, _, _, verdict in records(generated_run["landing"], feed):
            if verdict is not None:
                day = date.fromisoformat(source.split("date=")[1][:10])
                expected[(day, feed, verdict)] += 1
    built = {
        (day, feed, reason): count
        for day, feed, reason, count in query(
            generated_run,
            "select delivery_day, feed, reason, records from marts.fct_ingestion_outcomes_daily "
            "where outcome = 'quarantined' and feed in ('events', 'searches')",
        )
    }
    # a value of the wrong JSON type is quarantined only where it cannot be read tolerantly
    tolerated = {key for key in expected if key[2] == "wrong_type"}
    assert expected and all(built.get(key, 0) <= expected[key] for key in tolerated)
    assert {k: v for k, v in built.items() if k not in tolerated} == {
        k: v for k, v in expected.items() if k not in tolerated
    }


def test_erasure_requests_are_done_or_deferred_as_the_landing_files_say(
    generated_run: dict,
) -> None:
    lines: dict[str, list[dict]] = defaultdict(list)
    for _, _, record, verdict in records(generated_run["landing"], "erasure_requests"):
        if record is not None and verdict is None:
            lines[record["request_id"]].append(record)
    expected = {
        request: "done"
        if not any(r["outstanding_obligations"] for r in rs) or any(r["settled_at"] for r in rs)
        else "deferred"
        for request, rs in lines.items()
    }
    built = dict(query(generated_run, "select request_id, state from marts.fct_erasure_requests"))
    assert set(expected.values()) == {"done", "deferred"}
    assert built == expected
    ages = query(generated_run, "select min(age_days) from marts.fct_erasure_requests")
    assert ages[0][0] >= (AS_OF - date(2024, 3, 6)).days


def test_published_copy_holds_every_mart_as_built_but_the_rows_per_person(
    generated_run: dict,
) -> None:
    published = generated_run["warehouse"] / "published.duckdb"
    marts = {
        row[0]
        for row in query(
            generated_run, "select table_name from duckdb_tables() where schema_name = 'marts'"
        )
    }
    assert set(PERSON_MARTS) <= marts
    with duckdb.connect(str(published), read_only=True) as con:
        copied = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        assert copied == (marts - set(PERSON_MARTS)) | {"publication"}
        for mart in marts - set(PERSON_MARTS):
            rows = con.execute(f"select count(*) from marts.{mart}").fetchall()[0][0]
            built = query(generated_run, f"select count(*) from marts.{mart}")[0][0]
            assert rows == built > 0, mart
        newest = con.execute("select newest_delivery_day from marts.publication").fetchall()
    assert newest[0][0] == date(2024, 3, 5)


def test_dbt_unit_tests_pass(generated_run: dict, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse"
    shutil.copytree(generated_run["warehouse"], copy)
    result = _dbt("test --select test_type:unit", copy)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS=0" not in result.stdout
