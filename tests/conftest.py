"""Fixtures every test folder shares, and a hand-written landing zone: exact records, so
each rule's outcome is known exactly."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ingestion.daily import ingest_days
from ingestion.lake import connect_lake
from ingestion.rules import derive_keys, refresh_listings, refresh_privacy_rules
from ingestion.warehouse import check_key_version, open_warehouse

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """dagster-dbt reads the dbt manifest when the definitions load: parse first if stale."""
    from orchestration.dbt_manifest import prepare_manifest

    return prepare_manifest()


@pytest.fixture(scope="session")
def generated_run(tmp_path_factory) -> dict:
    """A generated zone run through the whole pipeline (`almaty run`) once per session."""
    from tests.generated import run_generated_zone

    return run_generated_zone(tmp_path_factory.mktemp("generated"))


def almaty_settings(root: Path) -> dict[str, str]:
    """An environment whose ALMATY_* settings all point into `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALMATY_")}
    env.update(
        ALMATY_LANDING_DIR=str(root / "landing"),
        ALMATY_WAREHOUSE=str(root / "warehouse"),
        ALMATY_EXPORT_DIR=str(root / "exports"),
        ALMATY_SECRET_KEY_FILE=str(root / "secret.key"),
    )
    return env


def almaty_command(
    env: dict[str, str], *args: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """Run the real `almaty` command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "almaty", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
    )


def first_run(
    root: Path, write_zone: Callable[[Zone], None], as_of: str = "2026-01-31"
) -> tuple[dict[str, str], Zone, bytes]:
    """A zone under `root` written by `write_zone`, a secret, and one passing `almaty run`:
    the environment, the zone and the secret, for scenarios that change the feeds after."""
    env = {**almaty_settings(root), "ALMATY_AS_OF": as_of}
    zone = Zone(root / "landing", root / "warehouse")
    write_zone(zone)
    assert almaty_command(env, "secret", "init").returncode == 0
    first = almaty_command(env, "run", timeout=900)
    assert first.returncode == 0, first.stderr
    return env, zone, bytes.fromhex((root / "secret.key").read_text().strip())


@pytest.fixture
def almaty_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose ALMATY_* settings all point into a fresh temporary folder."""
    return almaty_settings(tmp_path)


@pytest.fixture
def run_almaty(almaty_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`almaty_command` in `almaty_env`, unless another environment is given."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return almaty_command(env or almaty_env, *args)

    return run


SECRET = bytes(range(32))
AS_OF = date(2026, 1, 31)


# Record ids are UUIDs in the contract; tests name records ("e1") and the zone turns each
# name into a UUID of its own, and stored UUIDs back into names in query results.
_RECORD_NAMES: dict[str, str] = {}


def record_id(name: str) -> str:
    """The UUID standing for the record named `name` (a UUID stays itself)."""
    try:
        return str(uuid.UUID(name))
    except ValueError:
        value = str(uuid.uuid5(uuid.NAMESPACE_URL, f"almaty-test:{name}"))
        _RECORD_NAMES[value] = name
        return value


def record_name(value):
    """The test's name of a stored record id, anything else unchanged."""
    return _RECORD_NAMES.get(value, value) if isinstance(value, str) else value


def _raise(day: date, error: Exception) -> None:
    """Tests of one zone want an unreadable day's error itself."""
    raise error


class Zone:
    """Writes landing files the way the website does, and ingests them."""

    def __init__(self, root: Path, warehouse: Path) -> None:
        self.root = root
        self.warehouse = warehouse
        self._counter = 0

    @staticmethod
    def event(event_id: str, ts: str, **fields) -> dict:
        record = {
            "event_id": record_id(event_id),
            "event_type": "page_view",
            "ts": ts,
            "user_id": None,
            "anonymous_id": f"a_{event_id}",
            "device_id": None,
            "ip": "95.56.1.2",
            "x_forwarded_for": None,
            "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "app": "web",
            "locale": "ru-KZ",
            "page_url": "https://visitalmaty.kz/",
            "referrer": None,
            "listing_id": None,
            "search_id": None,
            "amount_kzt": None,
            "geo": None,
        }
        record.update(fields)
        if isinstance(record["search_id"], str):
            record["search_id"] = record_id(record["search_id"])
        return record

    @staticmethod
    def search(search_id: str, ts: str, query: str, **fields) -> dict:
        record = Zone.event("x", ts, **fields)
        for name in ("event_id", "event_type", "page_url", "referrer", "listing_id", "search_id"):
            record.pop(name)
        record.pop("amount_kzt")
        record.update(
            search_id=record_id(search_id),
            query=query,
            filters={"category": "accommodation"},
            results_count=3,
            result_listing_ids=["lst_1", "lst_2", "lst_3"],
        )
        return record

    def write(self, folder: str, records: list, gz: bool = False, raw: bytes = b"") -> Path:
        self._counter += 1
        path = self.root / folder / f"part-{self._counter:03d}.jsonl{'.gz' if gz else ''}"
        path.parent.mkdir(parents=True, exist_ok=True)
        content = b"".join(json.dumps(r).encode() + b"\n" for r in records) + raw
        path.write_bytes(gzip.compress(content) if gz else content)
        return path

    def events(self, day: str, records: list, **kw) -> Path:
        return self.write(f"events/date={day}", records, **kw)

    def searches(self, day: str, records: list, **kw) -> Path:
        return self.write(f"searches/date={day}", records, **kw)

    def ingest(self, *days: str, as_of: date = AS_OF, retention_years: int = 3) -> list:
        keys = derive_keys(SECRET)
        with open_warehouse(self.warehouse) as con:
            check_key_version(con, keys.version)
            con.execute("begin transaction")
            refresh_privacy_rules(con, self.root, keys, as_of, retention_years)
            refresh_listings(con, self.root, keys, as_of)
            con.execute("commit")
            delivery_days = [date.fromisoformat(day) for day in days]
            return ingest_days(
                con, self.root, delivery_days, keys, as_of, retention_years, on_unread=_raise
            ).results

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """Rows of `sql`, with stored record ids given back as the names the test chose."""
        with connect_lake(self.warehouse, read_only=True) as con:
            rows = con.execute(sql, params or []).fetchall()
        return [tuple(record_name(value) for value in row) for row in rows]


@pytest.fixture
def zone(tmp_path: Path) -> Zone:
    return Zone(tmp_path / "landing", tmp_path / "warehouse")


@pytest.fixture
def cli_zone(almaty_env: dict[str, str]) -> Zone:
    """A hand-written zone at the places `almaty_env` points the command at."""
    return Zone(Path(almaty_env["ALMATY_LANDING_DIR"]), Path(almaty_env["ALMATY_WAREHOUSE"]))
