"""Device locations snapped to a grid of about 1 km before they are stored.

A device's exact position (accuracy of metres) can show where someone lives or
works; the centre of its 0.01° x 0.01° cell still tells which part of the city
or which sight they were at. At Almaty's latitude (43.2° N) a cell is about
1.11 km north-south and 0.81 km east-west.

The cell is floor(coordinate x CELLS_PER_DEGREE); the result is its centre, so a
stored point never looks more precise than it is. The integer CELLS_PER_DEGREE
is used by both the Python function and the SQL expression, which therefore do
the same IEEE-754 double arithmetic and give identical numbers.
"""

from __future__ import annotations

import math
import re
from typing import Final

CELLS_PER_DEGREE: Final = 100
GRID_DEGREES: Final = 1 / CELLS_PER_DEGREE

# The last cell is closed at the top, so 90 and 180 stay within range.
_LAST_LAT_CELL: Final = 90 * CELLS_PER_DEGREE - 1
_LAST_LON_CELL: Final = 180 * CELLS_PER_DEGREE - 1
_SQL_COLUMN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _cell_centre(value: float, last_cell: int) -> float:
    """The centre of the grid cell holding `value` along one axis."""
    return (min(math.floor(value * CELLS_PER_DEGREE), last_cell) + 0.5) / CELLS_PER_DEGREE


def coarsen_location(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) of the centre of the ~1 km cell holding the point.

    Raises ValueError for NaN or out-of-range coordinates, so a broken reading
    is quarantined rather than stored as some real place.
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails every comparison
        raise ValueError("coordinates out of range: latitude -90..90, longitude -180..180")
    return _cell_centre(lat, _LAST_LAT_CELL), _cell_centre(lon, _LAST_LON_CELL)


def coarsen_location_sql(lat_col: str, lon_col: str) -> tuple[str, str]:
    """DuckDB expressions giving `coarsen_location`'s (lat, lon) for two DOUBLE columns.

    For bulk statements in SQL; where the Python function raises, these give NULL
    (one bad row should not abort a whole statement; validate first to quarantine).
    The names must be plain or dotted column names (`geo.lat`); anything else is
    refused, as they are pasted into SQL.
    """
    for column in (lat_col, lon_col):
        if not _SQL_COLUMN.fullmatch(column):
            raise ValueError(f"not a plain column name: {column!r}")
    valid = f"{lat_col} BETWEEN -90 AND 90 AND {lon_col} BETWEEN -180 AND 180"

    def centre(column: str, last_cell: int) -> str:
        cell = f"least(floor({column} * {CELLS_PER_DEGREE}), {last_cell})"
        return f"CASE WHEN {valid} THEN ({cell} + 0.5::DOUBLE) / {CELLS_PER_DEGREE} END"

    return centre(lat_col, _LAST_LAT_CELL), centre(lon_col, _LAST_LON_CELL)
