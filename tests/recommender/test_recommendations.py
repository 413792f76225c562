"""What may be shown: filters, diversity, cold start and reasons, on generated tastes."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy.sparse import csr_matrix

from recommender.interactions import check_interactions
from recommender.matrix import build_interaction_matrix
from recommender.recommendations import (
    LIST_LENGTH,
    MAX_RUN,
    MIN_INTERACTIONS,
    RERANKED,
    Catalog,
    diversified,
    last_touched,
    list_places,
    popular_listings,
    shown_first,
)
from recommender.snapshot import (
    RECHOOSE_DAYS,
    build_snapshot,
    choose_model,
    export_recommendations,
    recent_choice,
)
from recommender.synthetic import taste_interactions

CATEGORIES = ("accommodation", "tour", "restaurant")
TODAY = date(2026, 2, 1)


@pytest.fixture(scope="module")
def tastes() -> pl.DataFrame:
    frame = check_interactions(taste_interactions(users=300, items=120), "generated")
    # A few newcomers with fewer interactions than a personal list needs.
    newcomers = pl.DataFrame(
        {
            "user_id": ["new1", "new2", "new2"],
            "item_id": ["i0001", "i0002", "i0003"],
            "weight": [1.0, 1.0, 1.0],
            "ts": [datetime(2026, 1, 30)] * 3,
        }
    )
    return check_interactions(pl.concat([frame, newcomers], how="vertical_relaxed"), "with new")


@pytest.fixture(scope="module")
def catalog(tastes) -> Catalog:
    items = sorted(tastes["item_id"].unique().to_list())
    # every seventh listing is deleted or expired: it may never be shown
    return Catalog({item: CATEGORIES[n % 3] for n, item in enumerate(items) if n % 7})


@pytest.fixture(scope="module")
def booked(tastes) -> pl.DataFrame:
    return tastes.filter(pl.col("weight") == 5.0).select("user_id", "item_id").unique()


@pytest.fixture(scope="module")
def snapshot(tastes, booked, catalog):
    choice = choose_model(tastes, TODAY, max_trials=2)
    return build_snapshot(tastes, booked, catalog, choice)


def _longest_run(categories: list[str]) -> int:
    longest = run = 1
    for before, after in itertools.pairwise(categories):
        run = run + 1 if before == after else 1
        longest = max(longest, run)
    return longest


def test_diversify_breaks_long_runs_only_while_it_can() -> None:
    ranked = ("a1", "a2", "a3", "a4", "b1")
    categories = np.array([[0, 0, 0, 0, 1]])  # a, a, a, a, b
    order = [ranked[place] for place in diversified(categories, 5)[0]]
    assert order == ["a1", "a2", "b1", "a3", "a4"]  # b1 moved up; then only a is left
    assert [ranked[place] for place in diversified(categories, 3)[0]] == ["a1", "a2", "b1"]


def test_user_lists_never_offer_what_was_booked_or_cannot_be_shown(snapshot, booked, catalog):
    users = snapshot.users
    assert users.height > 0
    assert users["listing_id"].is_in(list(catalog.category)).all()
    offered_booked = users.join(
        booked, left_on=["subject_pseudonym", "listing_id"], right_on=["user_id", "item_id"]
    )
    assert offered_booked.is_empty()


def test_user_lists_are_full_ranked_diverse_and_explained(snapshot, catalog) -> None:
    for (user,), rows in snapshot.users.group_by("subject_pseudonym"):
        assert rows["rank"].sort().to_list() == list(range(1, LIST_LENGTH + 1)), user
        assert rows["listing_id"].n_unique() == LIST_LENGTH
        categories = [catalog.category[item] for item in rows.sort("rank")["listing_id"]]
        assert _longest_run(categories) <= MAX_RUN, user
    reasons = set(snapshot.users["reason"].unique().to_list())
    assert "personalized" in reasons
    assert reasons <= {"personalized", "similar_to_recent", "popular"}


def test_newcomers_get_no_personal_list(snapshot, tastes) -> None:
    few = tastes.group_by("user_id").len().filter(pl.col("len") < MIN_INTERACTIONS)
    assert set(few["user_id"]) >= {"new1", "new2"}
    assert not snapshot.users["subject_pseudonym"].is_in(few["user_id"].to_list()).any()


def test_similar_listings_leave_out_the_listing_itself_and_hidden_ones(snapshot, catalog):
    similar = snapshot.similar
    assert set(similar["listing_id"].unique().to_list()) <= set(catalog.category)
    assert (similar["listing_id"] != similar["similar_listing_id"]).all()
    assert similar["similar_listing_id"].is_in(list(catalog.category)).all()
    assert similar.group_by("listing_id").len()["len"].max() == LIST_LENGTH


def test_popular_is_ranked_by_people_and_shows_only_what_may_be_shown(snapshot, catalog):
    popular = snapshot.popular
    assert popular["listing_id"].is_in(list(catalog.category)).all()
    assert popular["score"].to_list() == sorted(popular["score"].to_list(), reverse=True)
    assert popular["rank"].to_list() == list(range(1, popular.height + 1))


def test_the_snapshot_names_its_model_window_and_metrics(snapshot, tastes) -> None:
    choice = snapshot.choice
    assert choice.model != "popularity" and choice.chosen_on() == TODAY
    models = choice.metrics["models"]
    assert models[choice.model]["ndcg@10"] > models["popularity"]["ndcg@10"]
    assert snapshot.training_window == (tastes["ts"].min(), tastes["ts"].max())


def test_a_choice_is_reused_for_a_week_then_made_again(snapshot) -> None:
    choice = snapshot.choice
    manifest = {"model": choice.model, "parameters": choice.parameters, "metrics": choice.metrics}
    assert recent_choice(manifest, TODAY) == choice
    last_day = TODAY + timedelta(days=RECHOOSE_DAYS - 1)
    assert recent_choice(manifest, last_day) == choice
    assert recent_choice(manifest, TODAY + timedelta(days=RECHOOSE_DAYS)) is None
    assert recent_choice({**manifest, "metrics": {}}, TODAY) is None  # undated: choose again
    assert recent_choice(None, TODAY) is None


def test_too_little_history_still_gives_lists_and_says_why() -> None:
    frame = check_interactions(taste_interactions(users=20, items=30, days=2), "short")
    shown = Catalog({item: "tour" for item in frame["item_id"].unique()})
    choice = choose_model(frame, TODAY)
    assert choice.model == "item_item" and "not_evaluated" in choice.metrics
    snapshot = build_snapshot(frame, frame.head(0).select("user_id", "item_id"), shown, choice)
    assert snapshot.users.height > 0 and snapshot.similar.height > 0


def test_no_interactions_yet_write_no_export(tmp_path) -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_user_listing_interactions (subject_pseudonym varchar, "
        "subject_kind varchar, listing_id varchar, strength double, interactions bigint, "
        "last_interaction_at timestamptz, booked boolean)"
    )
    con.execute(
        "create table marts.dim_listings (listing_id varchar, category varchar, "
        "is_available boolean)"
    )
    lines: list[str] = []
    now = datetime(2026, 1, 31, tzinfo=UTC)
    assert export_recommendations(con, tmp_path, now, progress=lines.append) is None
    assert not any(tmp_path.iterdir())
    assert lines == ["recommendations: no interactions with personalization consent yet"]


def test_the_second_export_of_the_week_refits_the_chosen_model(tmp_path) -> None:
    frame = taste_interactions(users=150, items=60, days=20)
    con = duckdb.connect()
    con.register("raw", frame)
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_user_listing_interactions as select md5(user_id) as "
        "subject_pseudonym, 'user' as subject_kind, item_id as listing_id, sum(weight) as "
        "strength, count(*) as interactions, max(ts)::timestamptz as last_interaction_at, "
        "false as booked from raw group by all"
    )
    con.execute(
        "create table marts.dim_listings as select distinct item_id as listing_id, "
        "'tour' as category, true as is_available from raw"
    )
    now = datetime(2026, 2, 1, 6, tzinfo=UTC)
    first = export_recommendations(con, tmp_path, now)
    lines: list[str] = []
    second = export_recommendations(con, tmp_path, now + timedelta(days=1), progress=lines.append)
    assert first != second and second.parent == first.parent
    assert lines[0].startswith("recommendations: refitting")
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (first, second)]
    assert manifests[0]["metrics"] == manifests[1]["metrics"]  # the same week's choice
    assert manifests[1]["metrics"]["chosen_on"] == "2026-02-01"


def _shown_reference(row, excluded: set[int], category, limit: int) -> list[int]:
    """Places of the first `limit` candidates that may be shown, each column once."""
    seen, places = set(excluded), []
    for place, column in enumerate(row):
        if column >= 0 and column not in seen and category[column] >= 0:
            seen.add(column)
            places.append(place)
    return (places + [-1] * limit)[:limit]


def _diversified_reference(categories: list[int], n: int) -> list[int]:
    """The re-ranking one list at a time: the best left, unless the last MAX_RUN picks
    share a category and another is left."""
    pending = [place for place, category in enumerate(categories) if category >= 0]
    chosen: list[int] = []
    while pending and len(chosen) < n:
        run = [categories[place] for place in chosen[-MAX_RUN:]]
        full = len(run) == MAX_RUN and len(set(run)) == 1
        other = (i for i, place in enumerate(pending) if categories[place] != run[-1])
        chosen.append(pending.pop(next(other, 0) if full else 0))
    return chosen + [-1] * (n - len(chosen))


@pytest.mark.parametrize("seed", range(25))
def test_shown_first_matches_a_list_at_a_time(seed) -> None:
    rng = np.random.default_rng(seed)
    rows, places, items = rng.integers(1, 6), rng.integers(1, 40), rng.integers(1, 15)
    candidates = rng.integers(-1, items, size=(rows, places))  # repeats, and -1 for none
    category = rng.integers(-1, 3, size=items)  # -1: may not be shown
    excluded = csr_matrix(rng.random((rows, items)) < 0.2)
    for limit in (1, 5, places + 3):
        got = shown_first(candidates, excluded, category, limit)
        expected = [
            _shown_reference(row, set(excluded[r].indices), category, limit)
            for r, row in enumerate(candidates.tolist())
        ]
        assert got.tolist() == expected


@pytest.mark.parametrize("seed", range(25))
def test_diversified_matches_a_list_at_a_time(seed) -> None:
    rng = np.random.default_rng(seed)
    rows, places = rng.integers(1, 6), rng.integers(1, 30)
    categories = rng.integers(0, rng.integers(1, 4), size=(rows, places))  # long runs too
    shown = rng.integers(0, places + 1, size=rows)
    categories[np.arange(places) >= shown[:, np.newaxis]] = -1  # shorter lists
    for n in (1, 4, places, places + 2):
        expected = [_diversified_reference(row, n) for row in categories.tolist()]
        assert diversified(categories, n).tolist() == expected


@pytest.mark.parametrize("seed", range(25))
def test_list_places_match_a_list_at_a_time_with_fills(seed) -> None:
    # A row's own candidates, then fills looked at only where the own ones fall short.
    rng = np.random.default_rng(seed)
    rows, own, fill, items = rng.integers(1, 6), rng.integers(1, 80), rng.integers(0, 40), 90
    candidates = np.hstack(
        [
            rng.integers(-1, items, size=(rows, own)),
            np.tile(rng.permutation(items)[:fill], (rows, 1)),
        ]
    )
    category = rng.integers(-1, 3, size=items)
    excluded = csr_matrix(rng.random((rows, items)) < 0.1)
    got = list_places(candidates, excluded, category, own)
    for r, row in enumerate(candidates.tolist()):
        shown = _shown_reference(row, set(excluded[r].indices), category, RERANKED)
        categories = [category[row[place]] if place >= 0 else -1 for place in shown]
        order = _diversified_reference(categories, LIST_LENGTH)
        assert got[r].tolist() == [shown[o] if o >= 0 else -1 for o in order]


def _random_interactions(rng: np.random.Generator) -> pl.DataFrame:
    """Few users, listings and moments, so people, times and counts tie; pairs repeat."""
    size = int(rng.integers(1, 60))
    return pl.DataFrame(
        {
            "user_id": [f"u{n}" for n in rng.integers(0, 12, size)],
            "item_id": [f"i{n:02d}" for n in rng.integers(0, 15, size)],
            "weight": np.ones(size),
            "ts": [datetime(2026, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 4, size)],
        }
    )


@pytest.mark.parametrize("seed", range(25))
def test_popular_listings_match_a_count_of_people(seed) -> None:
    rng = np.random.default_rng(seed)
    frame = _random_interactions(rng)
    catalog = Catalog({f"i{n:02d}": CATEGORIES[n % 3] for n in range(15) if rng.random() < 0.8})
    season = rng.random(frame.height) < 0.7
    got = popular_listings(build_interaction_matrix(frame), season, catalog, n=5)
    taken = frame.filter(pl.Series(season))
    people = max(1, taken["user_id"].n_unique())
    expected = (
        taken.unique(["user_id", "item_id"])
        .group_by("item_id")
        .len()
        .filter(pl.col("item_id").is_in(list(catalog.category)))
        .sort(["len", "item_id"], descending=[True, False])
        .head(5)
    )
    assert got["listing_id"].to_list() == expected["item_id"].to_list()
    assert got["score"].to_list() == pytest.approx((expected["len"] / people).to_list())
    assert got["rank"].to_list() == list(range(1, expected.height + 1))
    assert got["category"].to_list() == [catalog.category[i] for i in expected["item_id"]]


@pytest.mark.parametrize("seed", range(25))
def test_last_touched_is_the_latest_listing_then_the_greatest_id(seed) -> None:
    frame = _random_interactions(np.random.default_rng(seed))
    data = build_interaction_matrix(frame)
    got = last_touched(data, frame["ts"])
    expected = dict(
        frame.group_by("user_id").agg(pl.col("item_id").sort_by("ts", "item_id").last()).rows()
    )
    assert {user: data.item_ids[got[row]] for row, user in enumerate(data.user_ids)} == expected
