"""The listings catalog: Almaty places, prices and owners, and each listing's versions.

A listing changes over time (price changes, bought promotions, deletion); every change is
a new full version line in `catalog/listings`. Sessions read the catalog at a day's start
to know what is live, what it costs and what is promoted, so events agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from landing.clock import MS_PER_DAY, SWITCH_MS
from landing.contract import CATEGORIES, DISTRICTS
from landing.edges import flag
from landing.encode import (
    decimals,
    fragments,
    gather,
    integers,
    json_objects,
    quoted,
    timestamps,
)
from landing.pii import email_addresses, phone_numbers
from landing.population import NEVER, Population
from landing.profile import Profile
from landing.vocabulary import (
    ADVERT_POSTING_DAYS,
    CARS,
    KINDS,
    PROMOTION_PACKAGES,
    STREETS,
    TITLE_NAMES_EN,
    TITLE_NAMES_RU,
)

_KM_LAT = 1 / 111.0  # degrees of latitude per km
_KM_LON = 1 / 81.0  # degrees of longitude per km at Almaty's latitude
ADVERT = "advert"
ADVERT_KIND = next(code for code, kind in enumerate(KINDS) if kind.name == ADVERT)
_PROMOTION_EVERY_MS = 90 * MS_PER_DAY
PARTNER_EMAIL = "booking@visitalmaty-partners.kz"


@dataclass(frozen=True)
class Catalog:
    """Listings (static facts) and their versions, sorted by listing then time."""

    kind: np.ndarray  # index into KINDS
    category: np.ndarray  # index into CATEGORIES
    district: np.ndarray  # index into DISTRICTS
    popularity: np.ndarray  # how much attention a listing draws
    owner: np.ndarray  # subject index of the owner, -1 for partner imports
    posted: np.ndarray
    expires: np.ndarray  # NEVER without a posting period
    deleted: np.ndarray  # NEVER if not deleted
    lat: np.ndarray  # NaN for tours with no single place
    lon: np.ndarray
    ids: pl.Series  # unquoted listing ids
    titles: list[str]
    phones: list[str | None]  # the poster's contact details, as typed
    emails: list[str | None]
    version_listing: np.ndarray
    version_at: np.ndarray
    version_price: np.ndarray  # -1: no price
    version_promoted_until: np.ndarray  # NEVER: never promoted
    version_deleted: np.ndarray
    version_edges: np.ndarray  # edge-case flags of each version line
    first_version: np.ndarray  # per listing, its first version
    promotion_listing: np.ndarray  # purchases of promotion packages, by time
    promotion_at: np.ndarray
    promotion_amount: np.ndarray

    @property
    def size(self) -> int:
        return len(self.kind)

    def live(self, day_start: int, day_end: int) -> np.ndarray:
        """Listings shown all day: posted before it, neither deleted nor expired during it."""
        return (self.posted < day_start) & (self.deleted > day_end) & (self.expires > day_end)

    def current_version(self, at_ms: int) -> np.ndarray:
        """Each listing's version in force at `at_ms` (-1 before it was posted)."""
        counts = np.bincount(self.version_listing[self.version_at <= at_ms], minlength=self.size)
        return np.where(counts > 0, self.first_version + counts - 1, -1)


def _titles(rng: np.random.Generator, kinds: np.ndarray) -> list[str]:
    titles = []
    for kind in kinds:
        templates = KINDS[kind].titles
        template = templates[rng.integers(0, len(templates))]
        titles.append(
            template.format(
                ru=TITLE_NAMES_RU[rng.integers(0, len(TITLE_NAMES_RU))],
                en=TITLE_NAMES_EN[rng.integers(0, len(TITLE_NAMES_EN))],
                car=CARS[rng.integers(0, len(CARS))],
                street=STREETS[rng.integers(0, len(STREETS))],
                n=rng.integers(1, 5),
            )
        )
    return titles


def _places(rng: np.random.Generator, kinds: np.ndarray) -> tuple[np.ndarray, ...]:
    count = len(kinds)
    district = np.empty(count, dtype=np.int64)
    lat = np.full(count, np.nan)
    lon = np.full(count, np.nan)
    for code, kind in enumerate(KINDS):
        mine = np.flatnonzero(kinds == code)
        weights = np.array([place.weight for place in kind.places])
        chosen = rng.choice(len(kind.places), size=len(mine), p=weights / weights.sum())
        for position, place in enumerate(kind.places):
            here = mine[chosen == position]
            district[here] = DISTRICTS.index(place.district)
            if place.lat is not None and place.lon is not None:
                spread = rng.normal(0.0, kind.spread_km / 2, (len(here), 2))
                lat[here] = place.lat + spread[:, 0] * _KM_LAT
                lon[here] = place.lon + spread[:, 1] * _KM_LON
    return district, lat, lon


def _prices(rng: np.random.Generator, profile: Profile, kinds: np.ndarray) -> np.ndarray:
    prices = np.full(len(kinds), -1, dtype=np.int64)
    for code, kind in enumerate(KINDS):
        mine = np.flatnonzero(kinds == code)
        if kind.price_kzt is None:
            continue
        low, high = np.log(kind.price_kzt[0]), np.log(kind.price_kzt[1])
        raw = np.exp(rng.uniform(low, high, len(mine)))
        prices[mine] = np.maximum(1, np.round(raw / kind.price_step)) * kind.price_step
        if kind.name == ADVERT:
            prices[mine[rng.random(len(mine)) < profile.advert_without_price_share]] = -1
    return prices


def _contacts(
    rng: np.random.Generator, profile: Profile, population: Population, owner: np.ndarray
) -> tuple[list[str | None], list[str | None]]:
    """Phone and e-mail per listing: the owner's own, or a partner's (landline, booking@)."""
    owners = np.flatnonzero(population.owner)
    phone_of = dict(zip(owners.tolist(), phone_numbers(rng, len(owners)), strict=True))
    email_of = dict(zip(owners.tolist(), email_addresses(rng, len(owners)), strict=True))
    landlines = [
        f"+7 727 {a} {b:02d} {c:02d}"
        for a, b, c in rng.integers([200, 0, 0], [400, 100, 100], (len(owner), 3)).tolist()
    ]
    shows_phone, shows_email = rng.random((2, len(owner)))
    phones: list[str | None] = []
    emails: list[str | None] = []
    for position, who in enumerate(owner.tolist()):
        if who >= 0:
            phones.append(
                phone_of[who] if shows_phone[position] < profile.owner_phone_share else None
            )
            emails.append(
                email_of[who] if shows_email[position] < profile.owner_email_share else None
            )
        else:
            partner = shows_email[position] < profile.partner_email_share
            phones.append(
                landlines[position] if shows_phone[position] < profile.partner_phone_share else None
            )
            emails.append(PARTNER_EMAIL if partner else None)
    return phones, emails


def _changes(
    rng: np.random.Generator,
    profile: Profile,
    posted: int,
    price: int,
    step: int,
    deleted: int,
    expires: int,
    start_ms: int,
    end_ms: int,
    promotable: bool,
) -> list[tuple[int, str, int]]:
    """A listing's changes after posting: (at, what, value), in time order, before `end_ms`."""
    changes: list[tuple[int, str, int]] = []
    alive_until = min(deleted, expires, end_ms)
    if price >= 0 and rng.random() < profile.price_change_share:
        for at in rng.integers(posted, alive_until, rng.integers(1, 4)):
            price = max(step, round(price * rng.uniform(0.85, 1.2) / step) * step)
            changes.append((int(at), "price", price))
    if promotable:
        since = max(posted, start_ms - 180 * MS_PER_DAY)
        span = alive_until - since
        if span > 0:
            count = rng.poisson(profile.promotion_share * span / _PROMOTION_EVERY_MS)
            for at in rng.integers(since, alive_until, count):
                package = int(rng.integers(0, len(PROMOTION_PACKAGES)))
                changes.append((int(at), "promotion", package))
    if deleted < end_ms:
        changes.append((deleted, "delete", 0))
    return sorted(changes)


def build_catalog(
    rng: np.random.Generator,
    profile: Profile,
    population: Population,
    start_ms: int,
    end_ms: int,
) -> Catalog:
    """Listings scaled to the population, with a history from before the start to its end."""
    users = population.n_users
    count = int(
        np.clip(
            round(users * profile.listings_per_user), profile.listings_min, profile.listings_max
        )
    )
    shares = np.array([kind.share for kind in KINDS])
    kinds = np.sort(rng.choice(len(KINDS), size=count, p=shares / shares.sum()))
    category = np.array([CATEGORIES.index(KINDS[k].category) for k in kinds])
    district, lat, lon = _places(rng, kinds)
    prices = _prices(rng, profile, kinds)
    popularity = rng.lognormal(0.0, profile.popularity_sigma, count)

    history_ms = start_ms - profile.history_years * 365 * MS_PER_DAY
    posted = history_ms + ((end_ms - history_ms) * np.sqrt(rng.random(count))).astype(np.int64)
    advert = kinds == ADVERT_KIND
    # Adverts run for a posting period, so the live ones were posted in the last months.
    posted[advert] = rng.integers(start_ms - 100 * MS_PER_DAY, end_ms, advert.sum())
    owners = np.flatnonzero(population.owner)
    owner_weights = rng.pareto(1.5, len(owners)) + 1
    owner = rng.choice(owners, size=count, p=owner_weights / owner_weights.sum())
    owner[rng.random(count) < profile.ownerless_listing_share] = -1
    owned = owner >= 0
    opened = population.lifecycle.opened[np.maximum(owner, 0)]
    posted[owned] = np.maximum(posted[owned], opened[owned] + MS_PER_DAY)
    expires = np.full(count, NEVER)
    periods = np.array(ADVERT_POSTING_DAYS)[rng.integers(0, len(ADVERT_POSTING_DAYS), count)]
    expires[advert] = posted[advert] + periods[advert] * MS_PER_DAY
    deleted = np.full(count, NEVER)
    removal = rng.random(count)
    before = removal < profile.deleted_share / 2
    during = (removal >= profile.deleted_share / 2) & (removal < profile.deleted_share)
    deleted[before] = rng.integers(posted[before] + 1, np.maximum(posted[before] + 2, start_ms))
    deleted[during] = np.maximum(posted[during] + 1, rng.integers(start_ms, end_ms, during.sum()))

    numbers = 10_000 + np.argsort(np.argsort(posted, kind="stable"), kind="stable")
    ids = pl.Series([f"lst_{n}" for n in numbers])
    titles = _titles(rng, kinds)
    phones, emails = _contacts(rng, profile, population, owner)

    v_listing, v_at, v_price, v_promoted, v_deleted, v_edges = [], [], [], [], [], []
    p_listing, p_at, p_amount = [], [], []
    for listing in range(count):
        price, promoted_until, gone = int(prices[listing]), NEVER, NEVER
        step = KINDS[kinds[listing]].price_step
        first_edges = (
            flag("advert_expires_in_range") if start_ms <= expires[listing] < end_ms else 0
        )
        history = []  # a listing posted after the range is not in the zone
        if posted[listing] < end_ms:
            history = [(int(posted[listing]), "post", 0)]
            history += _changes(
                rng,
                profile,
                int(posted[listing]),
                price,
                step,
                int(deleted[listing]),
                int(expires[listing]),
                start_ms,
                end_ms,
                bool(owned[listing]),
            )
        for at, what, value in history:
            edges = first_edges if what == "post" else 0
            if what == "price":
                price, edges = value, flag("listing_price_change")
            elif what == "promotion":
                days, amount = PROMOTION_PACKAGES[value]
                promoted_until = at + days * MS_PER_DAY
                edges = flag("listing_promoted")
                if at >= start_ms:
                    p_listing.append(listing)
                    p_at.append(at)
                    p_amount.append(amount)
                at += 2_000  # the version follows the payment
            elif what == "delete":
                gone, edges = at, flag("listing_deleted")
            v_listing.append(listing)
            v_at.append(at)
            v_price.append(price)
            v_promoted.append(promoted_until)
            v_deleted.append(gone)
            v_edges.append(edges)

    version_listing = np.array(v_listing, dtype=np.int64)
    version_at = np.array(v_at, dtype=np.int64)
    order = np.lexsort((version_at, version_listing))
    version_listing, version_at = version_listing[order], version_at[order]
    version_price = np.array(v_price, dtype=np.int64)[order]
    version_promoted = np.array(v_promoted, dtype=np.int64)[order]
    version_deleted = np.array(v_deleted, dtype=np.int64)[order]
    version_edges = np.array(v_edges, dtype=np.int64)[order]
    first_version = np.searchsorted(version_listing, np.arange(count))
    promotion_order = np.argsort(np.array(p_at, dtype=np.int64), kind="stable")

    return Catalog(
        kind=kinds,
        category=category,
        district=district,
        popularity=popularity,
        owner=owner,
        posted=posted,
        expires=expires,
        deleted=deleted,
        lat=lat,
        lon=lon,
        ids=ids,
        titles=titles,
        phones=phones,
        emails=emails,
        version_listing=version_listing,
        version_at=version_at,
        version_price=version_price,
        version_promoted_until=version_promoted,
        version_deleted=version_deleted,
        version_edges=version_edges,
        first_version=first_version,
        promotion_listing=np.array(p_listing, dtype=np.int64)[promotion_order],
        promotion_at=np.array(p_at, dtype=np.int64)[promotion_order],
        promotion_amount=np.array(p_amount, dtype=np.int64)[promotion_order],
    )


def _optional_timestamps(values: np.ndarray) -> pl.Series:
    present = values < NEVER
    text = timestamps(np.where(present, values, 0), millis=False)
    return pl.select(pl.when(pl.lit(present)).then(pl.lit(text))).to_series()


def _optional_decimals(values: np.ndarray) -> pl.Series:
    present = ~np.isnan(values)
    text = decimals(np.nan_to_num(values), 5)
    return pl.select(pl.when(pl.lit(present)).then(pl.lit(text))).to_series()


def catalog_lines(catalog: Catalog, population: Population) -> pl.DataFrame:
    """The version lines of `catalog/listings`: arrival (updated_at), line, edges."""
    listing = catalog.version_listing
    stamps = {
        "updated_at": catalog.version_at,
        "posted_at": catalog.posted[listing],
        "expires_at": catalog.expires[listing],
        "deleted_at": catalog.version_deleted,
        "promoted_until": catalog.version_promoted_until,
    }
    old = np.logical_or.reduce([values < SWITCH_MS for values in stamps.values()])
    line = json_objects(
        [
            ("listing_id", gather(quoted(catalog.ids), listing)),
            ("updated_at", timestamps(stamps["updated_at"], millis=False)),
            ("category", gather(fragments(CATEGORIES), catalog.category[listing])),
            ("title", gather(fragments(catalog.titles), listing)),
            ("district", gather(fragments(DISTRICTS), catalog.district[listing])),
            ("lat", _optional_decimals(catalog.lat[listing])),
            ("lon", _optional_decimals(catalog.lon[listing])),
            ("price_kzt", integers(catalog.version_price, catalog.version_price >= 0)),
            ("owner_user_id", gather(population.user_ids, catalog.owner[listing])),
            ("owner_phone", gather(fragments(catalog.phones), listing)),
            ("owner_email", gather(fragments(catalog.emails), listing)),
            ("posted_at", timestamps(stamps["posted_at"], millis=False)),
            ("expires_at", _optional_timestamps(stamps["expires_at"])),
            ("deleted_at", _optional_timestamps(stamps["deleted_at"])),
            ("promoted_until", _optional_timestamps(stamps["promoted_until"])),
        ]
    )
    edges = catalog.version_edges | np.where(old, flag("offset_plus_06"), 0)
    return pl.DataFrame({"arrival": catalog.version_at, "line": line, "edges": edges})
