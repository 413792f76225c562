"""The site's search engine as its log shows it: which listings a search returns.

A search looks for one kind of listing (in one district if filtered, within a price range
if filtered). Results are that day's live listings of the kind, promoted first, then by
popularity; the listing the visitor goes on to click is among them, as it is when the
engine ranks by the visitor's history. `results_count` counts every match, the page holds
the first `results_per_page`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landing.contract import DISTRICTS
from landing.vocabulary import KINDS

_PRICE_SCALE = 1_000_000_000  # group * scale + price sorts prices within groups
NO_LIMIT = _PRICE_SCALE - 1


@dataclass(frozen=True)
class Ranking:
    """Searchable live listings grouped (by kind, or kind and district) in result order."""

    order: np.ndarray
    start: np.ndarray  # per group
    size: np.ndarray
    price_keys: np.ndarray  # sorted group * scale + price of the priced members

    @classmethod
    def of(
        cls,
        group: np.ndarray,
        groups: int,
        searchable: np.ndarray,
        promoted: np.ndarray,
        popularity: np.ndarray,
        price: np.ndarray,
    ) -> Ranking:
        members = np.flatnonzero(searchable)
        order = members[np.lexsort((-popularity[members], ~promoted[members], group[members]))]
        size = np.bincount(group[order], minlength=groups)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        priced = order[price[order] >= 0]
        return cls(order, start, size, np.sort(group[priced] * _PRICE_SCALE + price[priced]))

    def count(self, group: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Members of each group priced within [low, high]."""
        base = group * _PRICE_SCALE
        first = np.searchsorted(self.price_keys, base + low, side="left")
        return np.searchsorted(self.price_keys, base + high, side="right") - first


@dataclass(frozen=True)
class SearchEngine:
    """One day's rankings: by kind, and by kind within a district."""

    by_kind: Ranking
    by_district: Ranking
    kind: np.ndarray
    district: np.ndarray
    price: np.ndarray

    @classmethod
    def for_day(
        cls,
        kind: np.ndarray,
        district: np.ndarray,
        searchable: np.ndarray,
        promoted: np.ndarray,
        popularity: np.ndarray,
        price: np.ndarray,
    ) -> SearchEngine:
        def ranking(group: np.ndarray, groups: int) -> Ranking:
            return Ranking.of(group, groups, searchable, promoted, popularity, price)

        local = kind * len(DISTRICTS) + district
        return cls(
            by_kind=ranking(kind, len(KINDS)),
            by_district=ranking(local, len(KINDS) * len(DISTRICTS)),
            kind=kind,
            district=district,
            price=price,
        )

    def results(
        self,
        rng: np.random.Generator,
        target: np.ndarray,
        in_district: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        per_page: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(first page as listing indices padded with -1, results_count) per search.

        `target` must be searchable and, with a price filter, priced within [low, high];
        low 0 and high NO_LIMIT mean no price filter.
        """
        count = len(target)
        kind_group = self.kind[target]
        district_group = kind_group * len(DISTRICTS) + self.district[target]
        page = np.full((count, per_page), -1, dtype=np.int64)
        matches = np.zeros(count, dtype=np.int64)
        priced_filter = (low > 0) | (high < NO_LIMIT)
        for ranking, rows, group in (
            (self.by_kind, ~in_district, kind_group),
            (self.by_district, in_district, district_group),
        ):
            rows = np.flatnonzero(rows)
            g = group[rows]
            start, size = ranking.start[g], ranking.size[g]
            window = 4 * per_page
            offset = np.where(size > per_page, rng.integers(0, 3, len(rows)), 0)
            position = offset[:, None] + np.arange(window)
            candidates = ranking.order[
                np.minimum(start[:, None] + position, len(ranking.order) - 1)
            ]
            price = self.price[candidates]
            in_range = (price >= low[rows, None]) & (price <= high[rows, None])
            fits = (position < size[:, None]) & (in_range | ~priced_filter[rows, None])
            first = np.argsort(~fits, axis=1, kind="stable")[:, :per_page]
            chosen = np.take_along_axis(candidates, first, axis=1)
            page[rows] = np.where(np.take_along_axis(fits, first, axis=1), chosen, -1)
            matches[rows] = np.where(
                priced_filter[rows], ranking.count(g, low[rows], high[rows]), size
            )
        missing = np.flatnonzero(~(page == target[:, None]).any(axis=1))
        filled = (page[missing] >= 0).sum(axis=1)
        slot = np.where(filled < per_page, filled, rng.integers(0, per_page, len(missing)))
        page[missing, slot] = target[missing]
        return page, matches
