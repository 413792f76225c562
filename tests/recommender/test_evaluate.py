"""The comparison: on data with stable tastes a learning model clearly beats popularity,
the same seed gives the same report, and nothing to judge is a clear error."""

import json
import re
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from almaty.errors import AlmatyError
from recommender.evaluate import compare_models, held_out_items
from recommender.interactions import check_interactions
from recommender.matrix import build_interaction_matrix
from recommender.models import MODELS
from recommender.synthetic import taste_interactions

METRICS = ["precision@10", "recall@10", "ndcg@10", "map@10", "coverage@10"]


@pytest.fixture(scope="module")
def tastes() -> pl.DataFrame:
    return check_interactions(taste_interactions(), "generated")


@pytest.fixture(scope="module")
def report(tastes) -> dict:
    return compare_models(tastes, holdout_days=7, k=10, seed=0, max_trials=4)


def test_on_stable_tastes_the_best_model_clearly_beats_popularity(report) -> None:
    ndcg = {name: model["metrics"]["ndcg@10"] for name, model in report["models"].items()}
    assert report["best"] == max(ndcg, key=ndcg.get)
    assert report["best"] != "popularity"
    assert ndcg[report["best"]] > 2 * ndcg["popularity"]
    # Popularity shows the same few items to everyone; tastes spread over the catalog.
    coverage = report["models"][report["best"]]["metrics"]["coverage@10"]
    assert coverage > 3 * report["models"]["popularity"]["metrics"]["coverage@10"]


def test_the_report_has_every_model_with_its_metrics_params_and_counts(tastes, report) -> None:
    assert json.loads(json.dumps(report)) == report
    assert list(report["models"]) == list(MODELS)
    for name, model in report["models"].items():
        assert list(model["metrics"]) == METRICS
        assert all(0 <= value <= 1 for value in model["metrics"].values())
        assert model["tuning"]["trials"] == (0 if name == "popularity" else 4)
    assert set(report["models"]["als"]["params"]) == {
        "factors",
        "regularization",
        "iterations",
        "alpha",
    }
    assert (report["k"], report["holdout_days"], report["seed"]) == (10, 7, 0)
    train, test = report["train"], report["test"]
    assert train["interactions"] > 0 and test["interactions"] > 0
    assert train["interactions"] + test["interactions"] <= tastes.height
    assert test["users"] <= train["users"] and test["items"] <= train["items"]
    assert 0 < test["judged_users"] <= test["users"]


def test_the_same_seed_gives_the_same_tuned_params_and_metrics(tastes, report) -> None:
    again = compare_models(tastes, holdout_days=7, k=10, seed=0, max_trials=4)
    assert again == report


def test_users_are_judged_on_items_new_to_them() -> None:
    ts = datetime(2026, 1, 10)
    train = build_interaction_matrix(
        pl.DataFrame(
            {"user_id": ["a", "a", "b"], "item_id": ["x", "y", "z"], "weight": 1.0, "ts": ts}
        )
    )
    # a takes x again (not new) and z (new); b takes z again: b has nothing to judge.
    test = pl.DataFrame(
        {"user_id": ["a", "a", "b"], "item_id": ["x", "z", "z"], "weight": 1.0, "ts": ts}
    )
    held_out = held_out_items(train, test)
    assert held_out.user_rows.tolist() == [0]
    assert [items.tolist() for items in held_out.relevant] == [[2]]  # z


def _days_ago(*rows: tuple[str, str, int]) -> pl.DataFrame:
    end = datetime(2026, 1, 31)
    return check_interactions(
        pl.DataFrame(
            {
                "user_id": [user for user, _, _ in rows],
                "item_id": [item for _, item, _ in rows],
                "weight": np.ones(len(rows)),
                "ts": [end - timedelta(days=days) for _, _, days in rows],
            }
        ),
        "rows",
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("a", "x", 3), ("b", "x", 0)), "no interactions before the last 7 day(s)"),
        ((("a", "x", 20), ("a", "x", 1), ("c", "x", 0)), "nothing to judge"),
    ],
)
def test_nothing_to_train_on_or_to_judge_is_an_error(rows, message) -> None:
    with pytest.raises(AlmatyError, match=re.escape(message)) as error:
        compare_models(_days_ago(*rows), holdout_days=7)
    assert error.value.exit_code == 2
