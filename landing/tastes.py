"""What each subject looks at: stable favourites within a segment, bent by the season.

A pick is one of the subject's favourites (most of the time), else a listing its segment
likes this month, else a popular one. Favourites never change, which is the signal a
collaborative-filtering model can learn and a popularity baseline cannot.
"""

from __future__ import annotations

import numpy as np

from landing.catalog import ADVERT_KIND, Catalog
from landing.population import Population
from landing.profile import Profile
from landing.vocabulary import KINDS, SEGMENTS


def _affinity() -> np.ndarray:
    """segment x kind interest."""
    return np.array([[kind.affinity.get(segment, 0.0) for kind in KINDS] for segment in SEGMENTS])


def segment_activity(profile: Profile, month: int) -> np.ndarray:
    """How active each segment is in `month` (1..12): seasonal segments swing, others don't."""
    factors = np.ones(len(SEGMENTS))
    for segment, season in profile.segment_season.items():
        factors[SEGMENTS.index(segment)] = 0.5 + 0.5 * profile.season_factor[season][month - 1]
    return factors


def draw_favorites(
    rng: np.random.Generator, profile: Profile, population: Population, catalog: Catalog
) -> np.ndarray:
    """(subjects, favorites_per_subject) listing indices, drawn from each segment's taste."""
    weights = _affinity()[:, catalog.kind] * np.sqrt(catalog.popularity)
    favorites = np.empty((population.size, profile.favorites_per_subject), dtype=np.int64)
    for segment in range(len(SEGMENTS)):
        mine = np.flatnonzero(population.segment == segment)
        p = weights[segment] / weights[segment].sum()
        favorites[mine] = rng.choice(catalog.size, size=(len(mine), favorites.shape[1]), p=p)
    return favorites


def _sampler(weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    return np.cumsum(weights) / total if total > 0 else np.zeros(0)


def _draw(rng: np.random.Generator, cdf: np.ndarray, count: int) -> np.ndarray:
    if len(cdf) == 0 or count == 0:
        return np.full(count, -1, dtype=np.int64)
    return np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), len(cdf) - 1)


class DayTastes:
    """Listing pickers for one day: only live listings, weighted by this month's season."""

    def __init__(
        self,
        profile: Profile,
        catalog: Catalog,
        favorites: np.ndarray,
        live: np.ndarray,
        promoted: np.ndarray,
        month: int,
    ) -> None:
        self._profile = profile
        self._favorites = favorites
        season = np.array([profile.season_factor[kind.season][month - 1] for kind in KINDS])
        is_advert = catalog.kind == ADVERT_KIND
        self.searchable = live & ~is_advert
        base = catalog.popularity * season[catalog.kind] * self.searchable
        self._segment_cdf = [_sampler(base * row[catalog.kind]) for row in _affinity()]
        self._popular_cdf = _sampler(base)
        self._advert_cdf = _sampler(catalog.popularity * (live & is_advert) * (1 + 2 * promoted))
        self._crawl_cdf = _sampler(live.astype(float))
        slots = 1.0 / np.arange(1, favorites.shape[1] + 1) ** profile.favorite_decay
        self._slot_cdf = np.cumsum(slots) / slots.sum()

    def pick(
        self, rng: np.random.Generator, subjects: np.ndarray, segments: np.ndarray
    ) -> np.ndarray:
        """A listing each subject turns to: a live favourite, its segment's taste, or a hit."""
        count = len(subjects)
        source = rng.random(count)
        slot = _draw(rng, self._slot_cdf, count)
        chosen = self._favorites[subjects, slot]
        by_segment = np.empty(count, dtype=np.int64)
        for segment, cdf in enumerate(self._segment_cdf):
            mine = np.flatnonzero(segments == segment)
            by_segment[mine] = _draw(rng, cdf, len(mine))
        popular = _draw(rng, self._popular_cdf, count)
        use_favorite = (source < self._profile.favorite_pick_share) & self.searchable[chosen]
        segment_share = self._profile.favorite_pick_share + self._profile.segment_pick_share
        fallback = np.where((source < segment_share) & (by_segment >= 0), by_segment, popular)
        return np.where(use_favorite, chosen, fallback)

    def adverts(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Adverts to show; promoted ones get three times the impressions. -1 if none is live."""
        return _draw(rng, self._advert_cdf, count)

    def crawl(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Any live listing, as a crawler following links finds them."""
        return _draw(rng, self._crawl_cdf, count)
