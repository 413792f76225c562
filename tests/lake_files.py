"""What a warehouse folder holds on the disk, decoded, for tests that look for a value there.

Parquet files are compressed, so a byte search of them finds nothing even when a value is
there: every file is read back instead, its rows and its statistics (each column's smallest
and largest value per row group), which DuckDB's own queries never show. The SQLite catalog
is not compressed: its raw bytes, freed pages included, are searched as they are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ingestion.lake import catalog_path, connect_lake, data_path


def decoded_lake(lake: Path) -> bytes:
    """Every value of every Parquet file of `lake` and the catalog's bytes, as one text."""
    parts = [catalog_path(lake).read_bytes()]
    for file in sorted(data_path(lake).rglob("*.parquet")):
        parquet = pq.ParquetFile(file)
        parts.append(str(parquet.metadata.to_dict()).encode())
        for batch in parquet.iter_batches():
            for column in batch.columns:
                parts.append("\x00".join(map(str, column.to_pylist())).encode())
    return b"\x00".join(parts)


def file_digests(lake: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every data file of `lake`."""
    return {
        str(file.relative_to(data_path(lake))): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(data_path(lake).rglob("*.parquet"))
    }


def stored_bytes(path: Path) -> bytes:
    """What a byte search should see of `path`: a lake decoded, a DuckDB file as it is."""
    return decoded_lake(path) if path.is_dir() else path.read_bytes()


def open_store(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a lake folder or to a DuckDB file (the dashboards' copy)."""
    return connect_lake(path, read_only=True) if path.is_dir() else duckdb.connect(str(path), True)
