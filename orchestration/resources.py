"""The one resource every warehouse-writing asset shares: settings, keys, connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import ConfigurableResource

from almaty.config import Settings, load_settings
from almaty.secret import load_secret
from ingestion.lake import connect_lake
from ingestion.rules import Keys, derive_keys
from ingestion.warehouse import check_key_version, open_warehouse

LOCK_WAIT_SECONDS = 600


class WarehouseResource(ConfigurableResource):
    """Where the landing zone and the warehouse are, and how to open the warehouse.

    Built from the ALMATY_* settings when the definitions load; "today" (ALMATY_AS_OF unset)
    is taken when a run starts, so a UI left open for days does not use a stale date.
    """

    landing_dir: str
    warehouse: str
    export_dir: str
    secret_key_file: str
    as_of: str = ""
    retention_years: int = 3
    min_group_size: int = 10

    @classmethod
    def from_settings(cls, settings: Settings, as_of: str = "") -> WarehouseResource:
        return cls(
            landing_dir=str(settings.landing_dir),
            warehouse=str(settings.warehouse),
            export_dir=str(settings.export_dir),
            secret_key_file=str(settings.secret_key_file),
            as_of=as_of,
            retention_years=settings.retention_years,
            min_group_size=settings.min_group_size,
        )

    def settings(self) -> Settings:
        return load_settings(
            {
                "ALMATY_LANDING_DIR": self.landing_dir,
                "ALMATY_WAREHOUSE": self.warehouse,
                "ALMATY_EXPORT_DIR": self.export_dir,
                "ALMATY_SECRET_KEY_FILE": self.secret_key_file,
                "ALMATY_AS_OF": self.as_of,
                "ALMATY_RETENTION_YEARS": str(self.retention_years),
                "ALMATY_MIN_GROUP_SIZE": str(self.min_group_size),
            }
        )

    def secret_keys(self) -> Keys:
        return derive_keys(load_secret(self.settings().secret_key_file))

    @contextmanager
    def connect(self, keys: Keys, log=None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writing connection; waits while another process holds the writer's lock."""

        def on_wait() -> None:
            if log is not None:
                log.info("waiting for another process to finish writing the warehouse")

        with open_warehouse(self.settings().warehouse, LOCK_WAIT_SECONDS, on_wait) as con:
            check_key_version(con, keys.version)
            yield con

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the last committed snapshot."""
        con = connect_lake(self.settings().warehouse, read_only=True)
        try:
            yield con
        finally:
            con.close()
