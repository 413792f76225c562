from __future__ import annotations

import math
import random

import duckdb
import pytest

from privacy.location import (
    CELLS_PER_DEGREE,
    GRID_DEGREES,
    coarsen_location,
    coarsen_location_sql,
)


def test_a_point_in_almaty_snaps_to_its_cell_centre() -> None:
    assert coarsen_location(43.2389, 76.8897) == (43.235, 76.885)
    assert coarsen_location(-33.8688, 151.2093) == (-33.865, 151.205)


def test_points_of_one_cell_share_a_value_and_stay_within_half_a_cell() -> None:
    rng = random.Random(7)
    points = [(43.23 + rng.random() * 0.00999, 76.88 + rng.random() * 0.00999) for _ in range(500)]
    assert {coarsen_location(lat, lon) for lat, lon in points} == {(43.235, 76.885)}
    for lat, lon in points:
        clat, clon = coarsen_location(lat, lon)
        assert abs(clat - lat) <= GRID_DEGREES / 2 + 1e-9
        assert abs(clon - lon) <= GRID_DEGREES / 2 + 1e-9


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (90, 180, (89.995, 179.995)),
        (-90, -180, (-89.995, -179.995)),
        (0.0, -0.0, (0.005, 0.005)),
    ],
)
def test_edges_stay_in_range(lat: float, lon: float, expected: tuple[float, float]) -> None:
    assert coarsen_location(lat, lon) == expected


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(math.nan, 76.9), (43.2, math.nan), (90.01, 0), (-91, 0), (0, 180.5), (0, -math.inf)],
)
def test_invalid_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match="out of range"):
        coarsen_location(lat, lon)


def test_sql_expressions_give_the_same_numbers_as_python() -> None:
    rng = random.Random(11)
    points = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(2000)]
    points += [(rng.uniform(43.1, 43.4), rng.uniform(76.7, 77.1)) for _ in range(1000)]
    # Exact cell edges are where floating point could disagree.
    points += [(k / CELLS_PER_DEGREE, -k / CELLS_PER_DEGREE) for k in range(-9000, 9001, 7)] + [
        (90.0, 180.0),
        (-90.0, -180.0),
    ]
    lat_sql, lon_sql = coarsen_location_sql("geo.lat", "geo.lon")
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT i, struct_pack(lat := lat, lon := lon) AS geo FROM ("
            "SELECT unnest(range(len($lats))) AS i, unnest($lats) AS lat, unnest($lons) AS lon)",
            {"lats": [lat for lat, _ in points], "lons": [lon for _, lon in points]},
        )
        rows = con.execute(f"SELECT {lat_sql}, {lon_sql} FROM t ORDER BY i").fetchall()
    assert rows == [coarsen_location(lat, lon) for lat, lon in points]


def test_sql_gives_null_where_python_refuses() -> None:
    lat_sql, lon_sql = coarsen_location_sql("lat", "lon")
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT {lat_sql}, {lon_sql} FROM (VALUES "
            "(91.0, 10.0), ('NaN'::DOUBLE, 10.0), (10.0, -181.0), (NULL, 10.0)) v(lat, lon)"
        ).fetchall()
    assert rows == [(None, None)] * 4


@pytest.mark.parametrize("column", ["lat; DROP TABLE t", "1lat", "geo..lat", "lat)"])
def test_sql_refuses_anything_but_column_names(column: str) -> None:
    with pytest.raises(ValueError, match="column name"):
        coarsen_location_sql(column, "lon")
