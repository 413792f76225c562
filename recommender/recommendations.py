"""What the website shows: per user, per listing, and for everyone else, as plain frames.

A fitted model only scores; what may be shown is decided here. Never a listing that cannot be
shown (deleted, past its posting period), never one the user booked, never more than
`MAX_RUN` of one category in a row where the list can avoid it, and every item with its
reason: `personalized` (the model's pick), `similar_to_recent` (like the listing the user
touched last), `popular` (what everyone takes now); a similar listing's is `similar`. Users
with too few interactions are left out: the service gives them the popular list, as it does
anyone it does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np
import polars as pl

from recommender.matrix import InteractionMatrix
from recommender.models import Recommender

LIST_LENGTH = 20
MAX_RUN = 2  # at most this many listings of one category in a row
MIN_INTERACTIONS = 3  # fewer is a cold start
CANDIDATES = 100  # scored per user before filtering


@dataclass(frozen=True)
class Catalog:
    """The listings that may be shown, with their category."""

    category: Mapping[str, str]  # listing -> category, for every listing that may be shown

    def allows(self, listing: str) -> bool:
        return listing in self.category


Candidate = tuple[str, float, str]  # listing, score, reason


def diversify(ranked: Iterable[Candidate], catalog: Catalog, n: int) -> list[Candidate]:
    """The first `n` of `ranked`, best first, re-ordered so that no more than MAX_RUN of one
    category follow each other while a listing of another category is left."""
    pending = list(ranked)
    chosen: list[Candidate] = []
    while pending and len(chosen) < n:
        run = [catalog.category[listing] for listing, _, _ in chosen[-MAX_RUN:]]
        full = len(run) == MAX_RUN and len(set(run)) == 1
        other = (i for i, item in enumerate(pending) if catalog.category[item[0]] != run[-1])
        pick = next(other, 0) if full else 0  # with nothing else left, the run goes on
        chosen.append(pending.pop(pick))
    return chosen


# Diversity re-ranks within the first candidates that may be shown, not the whole catalog.
RERANKED = 3 * LIST_LENGTH


def _shown(candidates: Iterable[Candidate], excluded: set[str], catalog: Catalog) -> list:
    """Candidates, best first, that may be shown: each once, none excluded, diversified, cut
    to LIST_LENGTH."""
    seen = set(excluded)
    allowed = []
    for candidate in candidates:
        if candidate[0] not in seen and catalog.allows(candidate[0]):
            seen.add(candidate[0])
            allowed.append(candidate)
            if len(allowed) == RERANKED:
                break
    return diversify(allowed, catalog, LIST_LENGTH)


def _fallback(popular: pl.DataFrame) -> list[Candidate]:
    pairs = popular.select("listing_id", "score").iter_rows()
    return [(item, score, "popular") for item, score in pairs]


def popular_listings(frame: pl.DataFrame, catalog: Catalog, n: int = 200) -> pl.DataFrame:
    """Listings most people took in `frame` (the season's interactions), that may be shown.

    Columns `rank, listing_id, score, category`; score is the share of people.
    """
    people = frame["user_id"].n_unique() or 1
    counts = (
        frame.group_by("item_id")
        .agg(pl.col("user_id").n_unique().alias("people"))
        .filter(pl.col("item_id").is_in(list(catalog.category)))
        .sort(["people", "item_id"], descending=[True, False])
        .head(n)
    )
    return pl.DataFrame(
        {
            "rank": pl.Series(range(1, counts.height + 1), dtype=pl.Int32),
            "listing_id": counts["item_id"],
            "score": (counts["people"] / people).cast(pl.Float64),
            "category": pl.Series(
                [catalog.category[i] for i in counts["item_id"]], dtype=pl.String
            ),
        }
    )


def _frame(rows: list[tuple], key: str, item: str) -> pl.DataFrame:
    schema = {key: pl.String, "rank": pl.Int32, item: pl.String, "score": pl.Float64}
    return pl.DataFrame(rows, schema={**schema, "reason": pl.String}, orient="row")


def user_recommendations(
    model: Recommender,
    data: InteractionMatrix,
    frame: pl.DataFrame,
    booked: Mapping[str, set[str]],
    catalog: Catalog,
    popular: pl.DataFrame,
    similar: Mapping[str, list[str]],
) -> pl.DataFrame:
    """Top LIST_LENGTH per user with enough interactions: `subject_pseudonym, rank,
    listing_id, score, reason`. `frame` holds the interactions `data` was built from;
    `similar` gives each listing's similar ones, best first."""
    counts = frame.group_by("user_id").len()
    eligible = set(counts.filter(pl.col("len") >= MIN_INTERACTIONS)["user_id"].to_list())
    recent = dict(frame.sort("ts").group_by("user_id").agg(pl.col("item_id").last()).iter_rows())
    user_rows = np.array(
        [row for row, user in enumerate(data.user_ids) if user in eligible], dtype=np.int64
    )
    out: list[tuple] = []
    fallback = _fallback(popular)
    if len(user_rows):
        ids, scores = model.recommend(user_rows, CANDIDATES, exclude_seen=False)
        ids, scores = ids.tolist(), scores.tolist()  # Python numbers: much faster to loop on
        for position, row in enumerate(user_rows.tolist()):
            user = data.user_ids[row]
            picks = zip(ids[position], scores[position], strict=True)
            candidates = [(data.item_ids[i], s, "personalized") for i, s in picks if i >= 0]
            candidates += [(i, 0.0, "similar_to_recent") for i in similar.get(recent[user], [])]
            shown = _shown(chain(candidates, fallback), booked.get(user, set()), catalog)
            out += [(user, rank, *item) for rank, item in enumerate(shown, 1)]
    return _frame(out, "subject_pseudonym", "listing_id")


def similar_listings(
    model: Recommender, data: InteractionMatrix, catalog: Catalog, popular: pl.DataFrame
) -> pl.DataFrame:
    """LIST_LENGTH similar listings per listing that may be shown: `listing_id, rank,
    similar_listing_id, score, reason`; popular ones fill a short list."""
    out: list[tuple] = []
    fallback = _fallback(popular)
    for column, listing in enumerate(data.item_ids):
        if not catalog.allows(listing):
            continue
        ids, scores = model.similar_items(column, CANDIDATES)
        picks = zip(ids, scores, strict=True)
        candidates = [(data.item_ids[i], float(s), "similar") for i, s in picks if i >= 0]
        shown = _shown(chain(candidates, fallback), {listing}, catalog)
        out += [(listing, rank, *item) for rank, item in enumerate(shown, 1)]
    return _frame(out, "listing_id", "similar_listing_id")
