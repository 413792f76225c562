"""One export's content: choose the model on the hold-out, refit it on everything, list.

The comparison (`recommender.evaluate`) picks the model and its parameters on the last days;
the chosen model is then fitted on all interactions, since the newest days matter most for
what people want now. Popularity cannot say which listings are alike, so similar listings
then come from the item-item model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from almaty.errors import AlmatyError
from recommender.evaluate import compare_models
from recommender.export import RECOMMENDATIONS, latest_version, write_export
from recommender.interactions import check_interactions
from recommender.matrix import build_interaction_matrix
from recommender.models import MODELS, ItemItemModel, PopularityModel, Recommender, make_model
from recommender.recommendations import (
    Catalog,
    popular_listings,
    similar_listings,
    user_recommendations,
)

SEASON_DAYS = 30  # "popular" means popular over the last month
RECHOOSE_DAYS = 7  # the models are compared and tuned again after a week


@dataclass(frozen=True)
class ModelChoice:
    """The model and parameters that won the hold-out comparison, and that comparison."""

    model: str
    parameters: dict[str, Any]
    metrics: dict[str, Any]  # {"chosen_on": ISO date, "models": {name: metrics}} or why not

    def chosen_on(self) -> date:
        return date.fromisoformat(self.metrics["chosen_on"])


@dataclass(frozen=True)
class Snapshot:
    users: pl.DataFrame
    similar: pl.DataFrame
    popular: pl.DataFrame
    choice: ModelChoice
    training_window: tuple[datetime, datetime]


def choose_model(
    interactions: pl.DataFrame,
    today: date,
    *,
    seed: int = 0,
    holdout_days: int = 7,
    max_trials: int = 6,
    tuning_seconds: float = 120.0,
    progress: Callable[[str], None] | None = None,
) -> ModelChoice:
    """Compare and tune every model on the hold-out; the best by NDCG@10.

    With too little history to judge, the item-item model with its defaults, saying why.
    """
    try:
        report = compare_models(
            interactions,
            holdout_days=holdout_days,
            seed=seed,
            end=interactions["ts"].max(),
            max_trials=max_trials,
            tuning_seconds=tuning_seconds,
            progress=progress,
        )
    except AlmatyError as error:  # too little history to judge: no comparison to report
        return ModelChoice(
            ItemItemModel.name, {}, {"chosen_on": today.isoformat(), "not_evaluated": str(error)}
        )
    models = {model: entry["metrics"] for model, entry in report["models"].items()}
    best = report["best"]
    metrics = {"chosen_on": today.isoformat(), "holdout_days": holdout_days, "models": models}
    return ModelChoice(best, report["models"][best]["params"], metrics)


def recent_choice(manifest: Mapping[str, Any] | None, today: date) -> ModelChoice | None:
    """The choice an earlier export recorded, if made less than RECHOOSE_DAYS ago.

    Comparing and tuning every model costs many fits; tastes change slowly, so the winner is
    refitted on each run's data and the contest held again once a week.
    """
    if not manifest or manifest.get("model") not in MODELS:
        return None
    choice = ModelChoice(manifest["model"], manifest["parameters"], manifest["metrics"])
    try:
        age = (today - choice.chosen_on()).days
    except (KeyError, TypeError, ValueError):  # an export from before choices were dated
        return None
    return choice if 0 <= age < RECHOOSE_DAYS else None


def build_snapshot(
    interactions: pl.DataFrame,
    booked: pl.DataFrame,
    catalog: Catalog,
    choice: ModelChoice,
    seed: int = 0,
) -> Snapshot:
    """Recommendations from checked `interactions` (`user_id, item_id, weight, ts`) with the
    chosen model fitted on all of them. `booked` has `user_id, item_id` pairs never to offer
    again."""
    end = interactions["ts"].max()
    data = build_interaction_matrix(interactions)
    model = make_model(choice.model, seed, **choice.parameters)
    model.fit(data.matrix)
    alike = _similarity_model(model, seed, data.matrix)
    season = (interactions["ts"] > end - timedelta(days=SEASON_DAYS)).to_numpy()
    popular = popular_listings(data, season, catalog)
    similar = similar_listings(alike, data, catalog, popular)
    users = user_recommendations(model, data, interactions, booked, catalog, popular, similar)
    return Snapshot(users, similar, popular, choice, (interactions["ts"].min(), end))


def _similarity_model(model: Recommender, seed: int, matrix) -> Recommender:
    if not isinstance(model, PopularityModel):
        return model
    alike = ItemItemModel(seed)
    alike.fit(matrix)
    return alike


def export_recommendations(
    con: duckdb.DuckDBPyConnection,
    export_dir: Path,
    now: datetime,
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    choice: ModelChoice | None = None,
) -> Path | None:
    """Train on the published marts `con` reads and write a new export version; its folder.

    Every subject with personalization consent teaches the model, visitors who never logged
    in included; lists are exported for users only, since the website asks by user id. With
    no interactions at all nothing is written: the service keeps what it has. The model is
    the week's choice from the latest export, or a new comparison's, unless `choice` names
    one (as `almaty bench recommender` does, to time each model's export).
    """
    # ts in UTC without a time zone: from the epoch, since timezone('UTC', ...) goes
    # through ICU row by row and costs ten times as much.
    interactions = con.sql(
        "select subject_pseudonym as user_id, listing_id as item_id, strength as weight, "
        "make_timestamp(epoch_us(last_interaction_at)) as ts, "
        "subject_kind = 'user' as is_user, booked "
        "from marts.fct_user_listing_interactions where strength > 0"
    ).pl()
    if interactions.is_empty():
        if progress:
            progress("recommendations: no interactions with personalization consent yet")
        return None
    catalog = Catalog(
        dict(
            con.execute(
                "select listing_id, category from marts.dim_listings where is_available"
            ).fetchall()
        )
    )
    checked = check_interactions(interactions, "marts.fct_user_listing_interactions")
    booked = interactions.filter("booked").select("user_id", "item_id")
    choice = choice or recent_choice(_latest_manifest(export_dir), now.date())
    if choice is None:
        choice = choose_model(checked, now.date(), seed=seed, progress=progress)
    elif progress:
        progress(f"recommendations: refitting {choice.model}, chosen on {choice.chosen_on()}")
    snapshot = build_snapshot(checked, booked, catalog, choice, seed)
    users = interactions.filter("is_user")["user_id"].unique()
    first, last = snapshot.training_window
    folder = write_export(
        export_dir,
        snapshot.users.filter(pl.col("subject_pseudonym").is_in(users.implode())),
        snapshot.similar,
        snapshot.popular,
        {
            "model": choice.model,
            "parameters": choice.parameters,
            "metrics": choice.metrics,
            "training_window": {"first": first.date(), "last": last.date()},
        },
        now,
    )
    if progress:
        progress(
            f"recommendations: model {choice.model}, lists for {users.len():,} users and "
            f"{snapshot.similar['listing_id'].n_unique():,} listings, written to {folder}"
        )
    return folder


def _latest_manifest(export_dir: Path) -> dict[str, Any] | None:
    version = latest_version(export_dir)
    if version is None:
        return None
    try:
        return json.loads((export_dir / RECOMMENDATIONS / version / "manifest.json").read_text())
    except (OSError, ValueError):  # a damaged export: choose afresh
        return None
