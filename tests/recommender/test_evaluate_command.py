"""`almaty recommender evaluate` as the data team runs it: one JSON object on stdout, and
for bad input one line on stderr naming the problem, exit status 2, never a traceback."""

import json
from pathlib import Path

import polars as pl
import pytest

from recommender.synthetic import taste_interactions


def _write_tastes(path: Path) -> None:
    taste_interactions(users=200).write_parquet(path)


def _write_text(path: Path) -> None:
    path.write_text("user_id,item_id,weight,ts\nu1,i1,1,2026-01-01\n")


def _write_without_weight(path: Path) -> None:
    taste_interactions(users=5).drop("weight").write_parquet(path)


def _write_text_timestamps(path: Path) -> None:
    frame = taste_interactions(users=5)
    frame.with_columns(pl.col("ts").dt.to_string()).write_parquet(path)


def test_evaluate_prints_one_json_object_with_every_model(run_almaty, tmp_path) -> None:
    path = tmp_path / "interactions.parquet"
    _write_tastes(path)
    result = run_almaty(
        "recommender", "evaluate", "--interactions", str(path), "--holdout-days", "5",
        "--k", "5", "--trials", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    report = json.loads(result.stdout)
    assert (report["k"], report["holdout_days"]) == (5, 5)
    assert set(report["models"]) == {"popularity", "item_item", "als", "bpr"}
    ndcg = {name: model["metrics"]["ndcg@5"] for name, model in report["models"].items()}
    assert report["best"] == max(ndcg, key=ndcg.get) != "popularity"
    assert report["models"]["bpr"]["tuning"]["trials"] == 2
    # Progress, one line per model, goes to stderr.
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == list(report["models"])


@pytest.mark.parametrize(
    ("write", "options", "fragments"),
    [
        (None, (), ("no such file",)),
        (_write_text, (), ("not a readable Parquet file",)),
        (_write_without_weight, (), ("missing column(s) weight",)),
        (_write_text_timestamps, (), ("column ts is String", "expected a datetime")),
        (_write_tastes, ("--holdout-days", "40"), ("no interactions before the last 40 day(s)",)),
    ],
    ids=["missing", "not-parquet", "missing-column", "wrong-type", "empty-train"],
)
def test_bad_input_is_one_line_naming_the_file(run_almaty, tmp_path, write, options, fragments):
    path = tmp_path / "input.parquet"
    if write:
        write(path)
    result = run_almaty("recommender", "evaluate", "--interactions", str(path), *options)
    _assert_one_line_error(result, str(path), *fragments)


@pytest.mark.parametrize("option", ["--holdout-days", "--k"])
def test_a_count_below_one_is_refused(run_almaty, tmp_path, option) -> None:
    result = run_almaty("recommender", "evaluate", "--interactions", "x.parquet", option, "0")
    _assert_one_line_error(result, option, "at least 1")


def _assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("almaty")
    for fragment in fragments:
        assert fragment in lines[0]
