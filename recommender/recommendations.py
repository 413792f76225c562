"""What the website shows: per user, per listing, and for everyone else, as plain frames.

A fitted model only scores; what may be shown is decided here. Never a listing that cannot be
shown (deleted, past its posting period), never one the user booked, never more than
`MAX_RUN` of one category in a row where the list can avoid it, and every item with its
reason: `personalized` (the model's pick), `similar_to_recent` (like the listing the user
touched last), `popular` (what everyone takes now); a similar listing's is `similar`. Users
with too few interactions are left out: the service gives them the popular list, as it does
anyone it does not know.

Lists are made for many users (or listings) at once, as arrays: each row's candidates are
item columns best first, `shown_first` keeps those that may be shown and `diversified`
re-orders them, both a few array operations per block of rows rather than a Python loop
per list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix

from recommender.matrix import InteractionMatrix, positions_in
from recommender.models import BLOCK_CELLS, Recommender

LIST_LENGTH = 20
MAX_RUN = 2  # at most this many listings of one category in a row
MIN_INTERACTIONS = 3  # fewer is a cold start
CANDIDATES = 100  # scored per user before filtering
# Diversity re-ranks within the first candidates that may be shown, not the whole catalog.
RERANKED = 3 * LIST_LENGTH

USER_REASONS = ("personalized", "similar_to_recent", "popular")
SIMILAR_REASONS = ("similar", "popular")


@dataclass(frozen=True)
class Catalog:
    """The listings that may be shown, with their category."""

    category: Mapping[str, str]  # listing -> category, for every listing that may be shown

    def allows(self, listing: str) -> bool:
        return listing in self.category

    def codes(self, listings: tuple[str, ...]) -> np.ndarray:
        """Each listing's category as a number, -1 for one that may not be shown."""
        number = {name: code for code, name in enumerate(sorted(set(self.category.values())))}
        return np.array(
            [number.get(self.category.get(listing), -1) for listing in listings], dtype=np.int64
        )


def shown_first(
    candidates: np.ndarray, excluded: csr_matrix, category: np.ndarray, limit: int
) -> np.ndarray:
    """Per row, the places in `candidates` of the first `limit` that may be shown, in order.

    `candidates` holds item columns best first (-1 for none); `category` gives each column's
    category, -1 for one that may not be shown; `excluded` (rows x columns) marks what a row
    must never get (a booking, the listing itself). A column is shown once, at its first
    place. Places past a row's end are -1.
    """
    rows = candidates.shape[0]
    items = len(category)
    columns = np.where(candidates >= 0, candidates, items)  # column `items`: no candidate
    columns = columns.astype(np.int16 if items < np.iinfo(np.int16).max else np.int64)
    # A column's first place: sorted stably, a repeat follows its first place.
    order = np.argsort(columns, axis=1, kind="stable")  # radix sort for int16
    ordered = np.take_along_axis(columns, order, 1)
    repeat = np.zeros(ordered.shape, dtype=bool)
    repeat[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    shown = np.empty_like(repeat)
    np.put_along_axis(shown, order, ~repeat, axis=1)
    blocked = np.zeros((rows, items + 1), dtype=bool)
    excluded = excluded.tocoo()
    blocked[excluded.row, excluded.col] = True
    blocked[:, np.append(category, -1) < 0] = True  # hidden, and "no candidate"
    shown &= ~np.take(blocked, np.arange(rows)[:, np.newaxis] * (items + 1) + columns)
    shown &= np.cumsum(shown, axis=1) <= limit
    order = np.argsort(~shown, axis=1, kind="stable")[:, :limit]
    picked = np.where(np.take_along_axis(shown, order, 1), order, -1)
    return np.pad(picked, ((0, 0), (0, limit - picked.shape[1])), constant_values=-1)


def diversified(categories: np.ndarray, n: int, max_run: int = MAX_RUN) -> np.ndarray:
    """Per row of ranked candidates' `categories` (-1: no candidate), the places of the
    first `n` picks, -1 past the end.

    Each pick is the best candidate left, unless the last `max_run` picks share a category
    and a candidate of another is left: then the best of those. So no more than `max_run`
    of one category follow each other while the list can avoid it.
    """
    rows = categories.shape[0]
    everyone = np.arange(rows)
    left = categories >= 0
    picks = np.full((rows, n), -1, dtype=np.int64)
    last = np.full(rows, -1, dtype=categories.dtype)
    run = np.zeros(rows, dtype=np.int64)
    for step in range(n):
        other = left & (categories != last[:, np.newaxis])
        breaking = (run >= max_run) & other.any(axis=1)
        pick = np.where(breaking, other.argmax(axis=1), left.argmax(axis=1))
        some = left[everyone, pick]  # False once a row has nothing left
        picks[some, step] = pick[some]
        left[everyone[some], pick[some]] = False
        category = categories[everyone, pick]
        run = np.where(category == last, run + 1, 1)
        last = category
    return picks


def list_places(
    candidates: np.ndarray, excluded: csr_matrix, category: np.ndarray, own: int
) -> np.ndarray:
    """The places in `candidates` of each row's list: shown, then diversified. The first
    `own` places are the row's own candidates; the rest only fill what they leave short,
    so they are looked at only in the rows that need them."""
    shown = shown_first(candidates[:, :own], excluded, category, RERANKED)
    short = np.flatnonzero(shown[:, -1] < 0)
    if len(short):
        shown[short] = shown_first(candidates[short], excluded[short], category, RERANKED)
    columns = np.take_along_axis(candidates, np.maximum(shown, 0), 1)
    order = diversified(np.where(shown >= 0, category[columns], -1), LIST_LENGTH)
    return np.where(order >= 0, np.take_along_axis(shown, np.maximum(order, 0), 1), -1)


def _blocks(rows: np.ndarray, items: int) -> Iterator[tuple[int, np.ndarray]]:
    """`rows` a block at a time, each block's arrays (rows x items) within BLOCK_CELLS:
    the block's offset and rows."""
    size = max(1, BLOCK_CELLS // (items + 1))
    for at in range(0, len(rows), size):
        yield at, rows[at : at + size]


def _block_lists(
    keys: pl.Series,
    sources: list[tuple[np.ndarray, np.ndarray]],
    excluded: csr_matrix,
    category: np.ndarray,
    item_ids: pl.Series,
    names: tuple[str, str],
    reasons: tuple[str, ...],
) -> pl.DataFrame:
    """A block's lists as rows `key, rank, item, score, reason` (`names` gives the key and
    item columns). Each row's candidates are its `sources` one after the other (per source,
    columns and scores per row, or one row for all), the last one only filling short
    lists; an item's reason is its source's."""
    rows = len(keys)
    candidates = np.hstack([np.broadcast_to(c, (rows, c.shape[-1])) for c, _ in sources])
    scores = np.hstack([np.broadcast_to(s, (rows, s.shape[-1])) for _, s in sources])
    source = np.repeat(np.arange(len(sources)), [c.shape[-1] for c, _ in sources])
    places = list_places(candidates, excluded, category, own=len(source) - sources[-1][0].shape[-1])
    row, rank = np.nonzero(places >= 0)  # row by row, best first
    place = places[row, rank]
    return pl.DataFrame(
        {
            names[0]: keys.gather(row),
            "rank": pl.Series(rank + 1, dtype=pl.Int32),
            names[1]: item_ids.gather(candidates[row, place]),
            "score": pl.Series(scores[row, place], dtype=pl.Float64),
            "reason": pl.Series(reasons, dtype=pl.String).gather(source[place]),
        }
    )


def _popular_fill(popular: pl.DataFrame, data: InteractionMatrix) -> tuple[np.ndarray, np.ndarray]:
    """The popular listings the model knows, every list's last candidates (what fills a
    short one): columns and scores."""
    columns = positions_in(popular["listing_id"], data.item_ids)
    known = columns >= 0
    return columns[known], popular["score"].to_numpy()[known]


def _booked(booked: pl.DataFrame, data: InteractionMatrix, rows: np.ndarray) -> csr_matrix:
    """The `booked` pairs of the users in matrix `rows`, as a matrix: those users x items."""
    slot = np.full(len(data.user_ids) + 1, -1)  # each matrix row's place among `rows`
    slot[rows] = np.arange(len(rows))
    users = slot[positions_in(booked["user_id"], data.user_ids)]  # -1 stays -1
    items = positions_in(booked["item_id"], data.item_ids)
    known = (users >= 0) & (items >= 0)  # the rest are never candidates anyway
    return csr_matrix(
        (np.ones(known.sum(), dtype=bool), (users[known], items[known])),
        shape=(len(rows), len(data.item_ids)),
    )


def popular_listings(
    data: InteractionMatrix, season: np.ndarray, catalog: Catalog, n: int = 200
) -> pl.DataFrame:
    """Listings most people took in the season, that may be shown: `season` marks which of
    the interactions `data` was built from count.

    Columns `rank, listing_id, score, category`; score is the share of people. Equal
    shares rank by listing id.
    """
    items = len(data.item_ids)
    pairs = np.sort(data.rows[season] * items + data.columns[season])
    distinct = pairs[np.flatnonzero(np.diff(pairs, prepend=-1))]  # each person and listing once
    people = np.bincount(distinct % items, minlength=items)
    everyone = max(1, np.count_nonzero(np.bincount(data.rows[season])))
    taken = np.flatnonzero((people > 0) & (catalog.codes(data.item_ids) >= 0))
    ranked = taken[np.argsort(-people[taken], kind="stable")][:n]  # columns follow the ids
    listings = [data.item_ids[column] for column in ranked]
    return pl.DataFrame(
        {
            "rank": pl.Series(range(1, len(ranked) + 1), dtype=pl.Int32),
            "listing_id": pl.Series(listings, dtype=pl.String),
            "score": pl.Series(people[ranked] / everyone, dtype=pl.Float64),
            "category": pl.Series([catalog.category[i] for i in listings], dtype=pl.String),
        }
    )


def last_touched(data: InteractionMatrix, ts: pl.Series) -> np.ndarray:
    """Per matrix row, the column of the listing touched last: the latest `ts` (one per
    interaction `data` was built from), the greatest listing id of those at that time."""
    when = ts.to_physical().to_numpy()
    latest = np.full(len(data.user_ids), np.iinfo(when.dtype).min, dtype=when.dtype)
    np.maximum.at(latest, data.rows, when)
    at_latest = when == latest[data.rows]
    last = np.full(len(data.user_ids), -1, dtype=np.int64)
    np.maximum.at(last, data.rows[at_latest], data.columns[at_latest])
    return last


def _empty(key: str, item: str) -> pl.DataFrame:
    schema = {key: pl.String, "rank": pl.Int32, item: pl.String, "score": pl.Float64}
    return pl.DataFrame(schema={**schema, "reason": pl.String})


def user_recommendations(
    model: Recommender,
    data: InteractionMatrix,
    frame: pl.DataFrame,
    booked: pl.DataFrame,
    catalog: Catalog,
    popular: pl.DataFrame,
    similar: pl.DataFrame,
) -> pl.DataFrame:
    """Top LIST_LENGTH per user with enough interactions: `subject_pseudonym, rank,
    listing_id, score, reason`. `frame` holds the interactions `data` was built from;
    `booked` the `user_id, item_id` pairs never to offer again; `similar` the listings'
    similar lists (`similar_listings`)."""
    rows = np.flatnonzero(np.bincount(data.rows, minlength=len(data.user_ids)) >= MIN_INTERACTIONS)
    if not len(rows):
        return _empty("subject_pseudonym", "listing_id")
    recent = last_touched(data, frame["ts"])[rows]
    keys = pl.Series(data.user_ids, dtype=pl.String)
    item_ids = pl.Series(data.item_ids, dtype=pl.String)
    category = catalog.codes(data.item_ids)
    never = _booked(booked, data, rows)
    alike = _similar_columns(similar, data)
    fill = _popular_fill(popular, data)
    names = ("subject_pseudonym", "listing_id")
    frames = []
    for at, block in _blocks(rows, len(data.item_ids)):
        like_recent = alike[recent[at : at + len(block)]]
        scored = model.recommend(block, CANDIDATES, exclude_seen=False)
        sources = [scored, (like_recent, np.zeros(like_recent.shape)), fill]
        excluded = never[at : at + len(block)]
        frames.append(
            _block_lists(
                keys.gather(block), sources, excluded, category, item_ids, names, USER_REASONS
            )
        )
    return pl.concat(frames)


def _similar_columns(similar: pl.DataFrame, data: InteractionMatrix) -> np.ndarray:
    """Per item column, the columns of its similar list in rank order, -1 past its end; one
    more row, all -1, answers for column -1 (a listing the matrix does not hold)."""
    alike = np.full((len(data.item_ids) + 1, LIST_LENGTH), -1, dtype=np.int64)
    listing = positions_in(similar["listing_id"], data.item_ids)
    alike[listing, similar["rank"].to_numpy() - 1] = positions_in(
        similar["similar_listing_id"], data.item_ids
    )
    return alike


def similar_listings(
    model: Recommender, data: InteractionMatrix, catalog: Catalog, popular: pl.DataFrame
) -> pl.DataFrame:
    """LIST_LENGTH similar listings per listing that may be shown: `listing_id, rank,
    similar_listing_id, score, reason`; popular ones fill a short list."""
    category = catalog.codes(data.item_ids)
    listings = np.flatnonzero(category >= 0)
    if not len(listings):
        return _empty("listing_id", "similar_listing_id")
    item_ids = pl.Series(data.item_ids, dtype=pl.String)
    fill = _popular_fill(popular, data)
    names = ("listing_id", "similar_listing_id")
    frames = []
    for _, block in _blocks(listings, len(data.item_ids)):
        itself = csr_matrix(
            (np.ones(len(block), dtype=bool), (np.arange(len(block)), block)),
            shape=(len(block), len(data.item_ids)),
        )
        sources = [model.similar_items(block, CANDIDATES), fill]
        frames.append(
            _block_lists(
                item_ids.gather(block), sources, itself, category, item_ids, names, SIMILAR_REASONS
            )
        )
    return pl.concat(frames)
