"""Everything about the sample that holds for the whole run: people, listings and tastes.

Built once from the seeded generator before the first day; days then only draw visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from landing.catalog import Catalog, build_catalog
from landing.clock import day_start_ms
from landing.population import Population, build_population
from landing.profile import Profile
from landing.queries import QueryTable
from landing.tastes import draw_favorites


@dataclass(frozen=True)
class World:
    profile: Profile
    start: date
    days: int
    population: Population
    catalog: Catalog
    favorites: np.ndarray  # (subjects, favorites) listing indices
    queries: QueryTable

    @property
    def start_ms(self) -> int:
        return day_start_ms(self.start)

    @property
    def end_ms(self) -> int:
        return day_start_ms(self.start + timedelta(days=self.days))


def build_world(
    rng: np.random.Generator, profile: Profile, start: date, days: int, users: int
) -> World:
    start_ms = day_start_ms(start)
    end_ms = day_start_ms(start + timedelta(days=days))
    population = build_population(rng, profile, users, start_ms, end_ms)
    catalog = build_catalog(rng, profile, population, start_ms, end_ms)
    favorites = draw_favorites(rng, profile, population, catalog)
    return World(profile, start, days, population, catalog, favorites, QueryTable.build())
