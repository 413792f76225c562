"""The export the pipeline writes on the generated zone: complete, keyed by pseudonyms, and
without anyone who refused personalization or was erased."""

from __future__ import annotations

import json
import re

import polars as pl

from privacy.pseudonyms import Pseudonymizer
from tests.generated import erasures, records, refusing_personalization


def _latest(generated_run: dict):
    root = generated_run["exports"] / "recommendations"
    return root / (root / "latest").read_text().strip()


def test_the_run_writes_a_complete_version_and_points_at_it(generated_run: dict) -> None:
    version = _latest(generated_run)
    manifest = json.loads((version / "manifest.json").read_text())
    users = pl.read_parquet(version / "users.parquet")
    assert manifest["version"] == version.name
    assert manifest["row_counts"]["users"] == users.height > 0
    assert manifest["model"] in manifest["metrics"]["models"]
    assert manifest["training_window"]["first"] <= manifest["training_window"]["last"]
    assert pl.read_parquet(version / "similar.parquet").height > 0
    assert "recommendations: model" in generated_run["stdout"]


def test_users_are_keyed_by_pseudonyms_never_by_the_websites_ids(generated_run: dict) -> None:
    users = pl.read_parquet(_latest(generated_run) / "users.parquet")
    keys = set(users["subject_pseudonym"].to_list())
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
    raw = {
        record["user_id"]
        for _, _, record, _ in records(generated_run["landing"], "events")
        if record and isinstance(record.get("user_id"), str)
    }
    assert raw and not keys & raw
    known = {Pseudonymizer(generated_run["secret"], "user")(user) for user in raw}
    assert keys <= known  # users only: visitors who never logged in get no list


def test_no_erased_or_refusing_user_is_in_the_export(generated_run: dict) -> None:
    erased, _ = erasures(generated_run["landing"])
    users = Pseudonymizer(generated_run["secret"], "user")
    forbidden = {users(user) for user in erased} | refusing_personalization(
        generated_run["landing"], generated_run["secret"]
    )
    exported = set(
        pl.read_parquet(_latest(generated_run) / "users.parquet")["subject_pseudonym"].to_list()
    )
    assert erased and forbidden
    assert not exported & forbidden
