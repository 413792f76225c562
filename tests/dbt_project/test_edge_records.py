"""Valid records that look odd never stop `dbt build` or a mart suite: a listing the catalog
lacks, seen by enough people, and refunds (negative amounts); and a filter value too few people
used is never shown as a search's top value.

One module-scoped hand-written zone, ingested and built once: twelve visitors view listing L1
(in the catalog) and lst_404 (not in it) on 2026-01-10; on lst_1 two bookings are followed by three
refunds and a promotion purchase is refunded; all twelve search "hotel" in Medeu, and one of
them fifteen times more in Charyn.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ingestion.lake import connect_lake
from orchestration.dbt_manifest import dbt_command
from quality.marts import mart_failures
from tests.conftest import AS_OF, Zone, record_name

DAY = "2026-01-10"
VISITORS = [f"a{n}" for n in range(12)]  # min_group_size is 10


def _write_zone(zone: Zone) -> None:
    def at(minute: int) -> str:
        return f"{DAY}T10:{minute:02d}:00+05:00"

    events = []
    for n, visitor in enumerate(VISITORS):
        for listing in ("lst_1", "lst_404"):
            events.append(
                zone.event(
                    f"view-{visitor}-{listing}",
                    at(n),
                    anonymous_id=visitor,
                    event_type="listing_view",
                    listing_id=listing,
                )
            )
    # two bookings, then three refunds and a refunded promotion package: valid data
    for n, amount in enumerate([50_000.0, 50_000.0, -60_000.0, -60_000.0, -60_000.0]):
        events.append(
            zone.event(
                f"booking-{n}",
                at(20 + n),
                anonymous_id=VISITORS[n],
                event_type="booking",
                listing_id="lst_1",
                amount_kzt=amount,
            )
        )
    events.append(
        zone.event(
            "promotion-refund",
            at(30),
            anonymous_id=VISITORS[0],
            event_type="promotion_purchase",
            listing_id="lst_1",
            amount_kzt=-10_000.0,
        )
    )
    zone.events(DAY, events)
    searches = [
        zone.search(f"s-{visitor}", at(n), "hotel", anonymous_id=visitor)
        for n, visitor in enumerate(VISITORS)
    ]
    # one person's rare district, used more often than any other
    searches += [
        zone.search(f"s-rare-{k}", at(40 + k), "hotel", anonymous_id="a0") for k in range(15)
    ]
    for search in searches:
        search["filters"] = {
            "district": "Charyn" if "rare" in record_name(search["search_id"]) else "Medeu"
        }
    zone.searches(DAY, searches)
    zone.write(
        "catalog/listings",
        [
            {
                "listing_id": "lst_1",
                "category": "accommodation",
                "updated_at": "2025-11-01T10:00:00+05:00",
                "title": "Place 1",
                "district": "Medeu",
                "lat": 43.13,
                "lon": 77.08,
                "price_kzt": 50000.0,
                "owner_user_id": "u0",
                "posted_at": "2025-11-01T10:00:00+05:00",
                "expires_at": None,
                "deleted_at": None,
                "promoted_until": None,
            }
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("edge_records")
    zone = Zone(root / "landing", root / "warehouse")
    _write_zone(zone)
    zone.ingest(DAY)
    variables = {"warehouse": str(zone.warehouse), "as_of": AS_OF.isoformat()}
    result = subprocess.run(
        dbt_command(["build", "--vars", json.dumps(variables)]),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {"result": result, "warehouse": zone.warehouse}


def _query(built: dict, sql: str) -> list[tuple]:
    with connect_lake(built["warehouse"], read_only=True) as con:
        return con.execute(sql).fetchall()


def _frame(warehouse: Path, mart: str):
    with connect_lake(warehouse, read_only=True) as con:
        return con.execute(f"from marts.{mart}").df()


def test_dbt_build_passes_every_test(built: dict) -> None:
    result = built["result"]
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ERROR=0" in result.stdout and "PASS=0" not in result.stdout


def test_a_listing_the_catalog_lacks_is_kept_as_unknown_and_counted(built: dict) -> None:
    assert _query(
        built,
        "select category, district, visitors, views from marts.fct_listings_daily "
        "where listing_id = 'lst_404'",
    ) == [("unknown", "unknown", 12, 12)]
    outcomes = _query(
        built,
        "select delivery_day::varchar, feed, records from marts.fct_ingestion_outcomes_daily "
        "where outcome = 'kept' and reason = 'listing_not_in_catalog'",
    )
    assert outcomes == [(DAY, "events", 12)]


def test_the_recommender_input_holds_only_catalog_listings(built: dict) -> None:
    listings = _query(
        built, "select listing_id, count(*) from marts.fct_user_listing_interactions group by 1"
    )
    assert listings == [("lst_1", 12)]


def test_refunds_lower_revenue_below_zero_and_counts_stay_apart(built: dict) -> None:
    assert _query(
        built,
        "select bookings, refunds, revenue_kzt, promotion_revenue_kzt, booking_rate "
        "from marts.fct_listings_daily where listing_id = 'lst_1'",
    ) == [(2, 3, -80_000.0, -10_000.0, 2 / 12)]
    for mart in ("fct_listings_daily", "fct_searches_daily"):
        assert mart_failures(mart, _frame(built["warehouse"], mart)) == {}, mart


def test_a_rare_filter_value_is_never_a_top_value(built: dict) -> None:
    assert _query(
        built, "select query, searches, searchers, top_district from marts.fct_searches_daily"
    ) == [("hotel", 27, 12, "Medeu")]
