"""Who uses the site: account holders, cookie-only visitors and crawlers.

A subject is one browser or app install with a persistent anonymous_id. Each account
holder is one subject (whose anonymous_id also appears logged out), cookie-only visitors
are subjects without an account. Subjects keep their segment, device, network and
favourite listings for the whole run, which is what lets a recommender learn them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import orjson
import polars as pl

from landing.clock import MS_PER_DAY, MS_PER_HOUR
from landing.contract import APPS
from landing.encode import uuid4_strings
from landing.profile import Profile
from landing.vocabulary import (
    ANDROID_APP_USER_AGENTS,
    BOTS,
    HOME_PREFIXES_V4,
    HOME_PREFIXES_V6,
    IOS_APP_USER_AGENTS,
    LANGUAGES,
    LOCALES,
    MOBILE_PREFIXES_V4,
    PROXY_PREFIXES_V4,
    WEB_USER_AGENTS,
    language_of,
    network_of,
)

NEVER = np.iinfo(np.int64).max  # an instant that does not happen
ZERO_DEVICE_ID = "00000000-0000-0000-0000-000000000000"
GPC_ABSENT, GPC_TRUE, GPC_FALSE = 0, 1, 2
ERASURE_KINDS: tuple[str, ...] = ("free", "settled", "unsettled")
_YEAR_MS = 365 * MS_PER_DAY
_POOL_SIZES = {"mobile": 400, "office": 300, "proxy": 60, "bot": 40}


@dataclass(frozen=True)
class Lifecycle:
    """Account history of the account holders (subjects below n_users); NEVER: did not happen."""

    opened: np.ndarray
    terminated: np.ndarray
    reopened: np.ndarray
    erasure_requested: np.ndarray
    erasure_kind: np.ndarray  # index into ERASURE_KINDS, -1 without a request
    erasure_settled: np.ndarray

    def may_visit(self, at_ms: np.ndarray, users: np.ndarray) -> np.ndarray:
        """Whether each account holder still uses the site at that instant.

        Nobody visits between termination and reopening, nor after asking for erasure;
        before opening an account people browse logged out.
        """
        terminated = self.terminated[users]
        closed = (at_ms >= terminated) & (at_ms < self.reopened[users])
        return ~closed & (at_ms < self.erasure_requested[users])


@dataclass(frozen=True)
class Population:
    """Subjects 0..n_users-1 hold accounts; the rest are cookie-only visitors."""

    n_users: int
    user_numbers: np.ndarray  # the number in `u_<number>`, by account opening order
    segment: np.ndarray  # index into SEGMENTS
    app: np.ndarray  # index into APPS
    language: np.ndarray  # index into LANGUAGES
    activity: np.ndarray  # relative number of sessions
    mobile: np.ndarray  # a phone or tablet (apps, mobile browsers)
    gpc: np.ndarray  # GPC_ABSENT / GPC_TRUE / GPC_FALSE
    null_user_agent: np.ndarray
    zeroed_device_id: np.ndarray
    sends_geo: np.ndarray
    geo_granted: np.ndarray
    home_lat: np.ndarray
    home_lon: np.ndarray
    owner: np.ndarray  # posts listings
    lifecycle: Lifecycle
    anonymous_ids: pl.Series  # per subject, unquoted
    user_ids: pl.Series  # per subject, JSON string or null for visitors
    device_parts: pl.Series  # per subject then per bot: "device_id":..,...,"locale":..
    bot_weights: np.ndarray
    ips: pl.Series  # every address in use, unquoted: homes (one per subject), then pools
    ip_is_v6: np.ndarray
    pools: dict[str, tuple[int, int]]  # pool -> (first, count) in `ips`; "bot<i>" per crawler

    @property
    def size(self) -> int:
        return len(self.segment)


def _choice(rng: np.random.Generator, shares: dict | tuple, count: int) -> np.ndarray:
    weights = np.array(list(shares.values()) if isinstance(shares, dict) else shares, float)
    return rng.choice(len(weights), size=count, p=weights / weights.sum())


def _ipv4(rng: np.random.Generator, prefixes: tuple[str, ...], count: int) -> list[str]:
    """Addresses in the given networks (prefixes of one to three octets)."""
    prefix = rng.integers(0, len(prefixes), count)
    octets = rng.integers(1, 255, (count, 3))
    missing = [3 - network.count(".") for network in prefixes]
    return [
        ".".join([prefixes[p], *map(str, host[: missing[p]])])
        for p, host in zip(prefix.tolist(), octets.tolist(), strict=True)
    ]


def _ipv6(rng: np.random.Generator, count: int) -> list[str]:
    prefix = rng.integers(0, len(HOME_PREFIXES_V6), count)
    groups = rng.integers(1, 0x10000, (count, 6))
    compressed = rng.random(count) < 0.5  # the form the edge logged
    addresses = []
    for p, g, short in zip(prefix, groups, compressed, strict=True):
        head = f"{HOME_PREFIXES_V6[p]}:{g[0]:x}:{g[1]:x}"
        tail = f"::{g[5]:x}" if short else f":{g[2]:x}:{g[3]:x}:{g[4]:x}:{g[5]:x}"
        addresses.append(head + tail)
    return addresses


def _draw_lifecycle(
    rng: np.random.Generator,
    profile: Profile,
    owner: np.ndarray,
    start_ms: int,
    end_ms: int,
) -> Lifecycle:
    users = len(owner)
    history_ms = start_ms - profile.history_years * _YEAR_MS
    three_years_ms = start_ms - 3 * _YEAR_MS
    # Sign-ups grow over the years (linear density); a few happen during the range.
    opened = history_ms + ((start_ms - history_ms) * np.sqrt(rng.random(users))).astype(np.int64)
    in_range = ~owner & (rng.random(users) < profile.signup_in_range_share)
    opened[in_range] = rng.integers(start_ms, end_ms, in_range.sum())
    opened[owner] = history_ms + rng.integers(0, _YEAR_MS, owner.sum())

    terminated = np.full(users, NEVER)
    reopened = np.full(users, NEVER)
    month = 30 * MS_PER_DAY
    taken = owner.copy()
    for share, eligible, low, high in (
        (profile.terminated_long_ago_share, opened < three_years_ms - month, None, three_years_ms),
        (profile.terminated_before_share, opened < start_ms - month, three_years_ms, start_ms),
        (profile.terminated_in_range_share, opened < start_ms, start_ms, end_ms),
    ):
        pool = np.flatnonzero(eligible & ~taken)
        chosen = rng.permutation(pool)[: max(1, round(share * users))]
        begin = opened[chosen] + month if low is None else np.maximum(opened[chosen] + month, low)
        begin = np.minimum(begin, high - 1)
        terminated[chosen] = begin + (rng.random(len(chosen)) * (high - begin)).astype(np.int64)
        taken[chosen] = True
    ended = np.flatnonzero(terminated < NEVER)
    comeback = ended[rng.random(len(ended)) < profile.reopened_share]
    comeback = comeback[terminated[comeback] + MS_PER_DAY < end_ms]
    begin = terminated[comeback] + MS_PER_DAY
    reopened[comeback] = begin + (rng.random(len(comeback)) * (end_ms - begin)).astype(np.int64)

    days = (end_ms - start_ms) / MS_PER_DAY
    requests = max(len(ERASURE_KINDS), round(users * profile.erasure_per_user_day * days))
    eligible = np.flatnonzero(~taken & (opened < start_ms))
    chosen = rng.permutation(eligible)[:requests]
    requested = np.full(users, NEVER)
    kind = np.full(users, -1)
    settled = np.full(users, NEVER)
    requested[chosen] = rng.integers(start_ms + MS_PER_HOUR, end_ms - MS_PER_HOUR, len(chosen))
    # Every kind at least once, then by share.
    kinds = np.concatenate(
        [rng.permutation(len(ERASURE_KINDS)), _choice(rng, profile.erasure_kinds, len(chosen))]
    )
    kind[chosen] = kinds[: len(chosen)]
    paying = chosen[kind[chosen] == ERASURE_KINDS.index("settled")]
    span = end_ms - requested[paying]
    settled[paying] = requested[paying] + (rng.uniform(0.1, 0.9, len(paying)) * span).astype(
        np.int64
    )
    return Lifecycle(opened, terminated, reopened, requested, kind, settled)


def _user_agents() -> tuple[list[str | None], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """All user agents (apps' lists, then crawlers'), and per app: their indices and weights."""
    agents: list[str | None] = []
    per_app = {}
    for app, table in zip(
        APPS, (WEB_USER_AGENTS, IOS_APP_USER_AGENTS, ANDROID_APP_USER_AGENTS), strict=True
    ):
        first = len(agents)
        agents += [agent for agent, _ in table]
        weights = np.array([weight for _, weight in table])
        per_app[app] = (np.arange(first, len(agents)), weights / weights.sum())
    agents += [bot.user_agent for bot in BOTS]
    return agents, per_app


def _is_mobile(agent: str | None) -> bool:
    return agent is not None and any(
        word in agent for word in ("Mobile", "Android", "iPhone", "iPad", "Dalvik")
    )


def build_population(
    rng: np.random.Generator, profile: Profile, users: int, start_ms: int, end_ms: int
) -> Population:
    """Account holders, cookie-only visitors and crawlers for a run of `users` accounts."""
    size = users + round(users * profile.anonymous_visitors_per_user)
    segment = _choice(rng, profile.segment_shares, size)
    app = _choice(rng, profile.app_shares, size)
    locales = [locale for locale, _ in LOCALES]
    locale = _choice(rng, tuple(share for _, share in LOCALES), size)
    language = np.array([LANGUAGES.index(language_of(code)) for code in locales])[locale]
    activity = rng.lognormal(0.0, profile.activity_sigma, size)

    agents, per_app = _user_agents()
    agent = np.empty(size, dtype=np.int64)
    for code, name in enumerate(APPS):
        mine = app == code
        indices, weights = per_app[name]
        agent[mine] = rng.choice(indices, size=mine.sum(), p=weights)
    web = app == APPS.index("web")
    null_user_agent = web & (rng.random(size) < profile.null_user_agent_share)
    mobile = np.array([_is_mobile(agents[i]) for i in agent])
    gpc_draw = rng.random(size)
    gpc = np.where(web & (gpc_draw < profile.gpc_true_share), GPC_TRUE, GPC_ABSENT)
    gpc_false = web & (gpc_draw >= 1 - profile.gpc_false_share)
    gpc[gpc_false] = GPC_FALSE
    in_app = ~web
    zeroed = in_app & (rng.random(size) < profile.zeroed_ad_id_share)
    sends_geo = in_app & (rng.random(size) < profile.geo_app_share)
    geo_granted = sends_geo & (rng.random(size) < profile.geo_granted_share)
    home_lat = 43.25 + rng.normal(0.0, 0.035, size)
    home_lon = 76.92 + rng.normal(0.0, 0.05, size)

    owner = np.zeros(size, dtype=bool)
    owner[rng.permutation(users)[: max(3, round(profile.owner_share * users))]] = True
    lifecycle = _draw_lifecycle(rng, profile, owner[:users], start_ms, end_ms)
    gaps = 1 + rng.geometric(0.7, users)  # numbers skip deleted test and spam accounts
    user_numbers = np.empty(users, dtype=np.int64)
    user_numbers[np.argsort(lifecycle.opened, kind="stable")] = 1000 + np.cumsum(gaps)

    ios = app == APPS.index("ios")
    # iOS ids are upper case (identifierForVendor as the install id, IDFA as the device id).
    install_ids = uuid4_strings(rng, size).to_list()
    vendor_ids = uuid4_strings(rng, size, upper=True).to_list()
    ad_ids = uuid4_strings(rng, size).to_list()
    idfas = uuid4_strings(rng, size, upper=True).to_list()
    anonymous_ids = [vendor_ids[i] if ios[i] else install_ids[i] for i in range(size)]
    agent_text = [orjson.dumps(a).decode() for a in agents]
    locale_text = [orjson.dumps(a).decode() for a in locales]
    gpc_text = ("", '"gpc":true,', '"gpc":false,')
    parts = []
    for i in range(size):
        if web[i]:
            device = "null"
        elif zeroed[i]:
            device = f'"{ZERO_DEVICE_ID}"'
        else:
            device = f'"{idfas[i] if ios[i] else ad_ids[i]}"'
        user_agent = "null" if null_user_agent[i] else agent_text[agent[i]]
        parts.append(
            f'"device_id":{device},"user_agent":{user_agent},{gpc_text[gpc[i]]}'
            f'"app":"{APPS[app[i]]}","locale":{locale_text[locale[i]]}'
        )
    for position, _ in enumerate(BOTS):
        crawler_agent = agent_text[len(agents) - len(BOTS) + position]
        parts.append(f'"device_id":null,"user_agent":{crawler_agent},"app":"web","locale":null')

    network_names = [network_of(code) for code in locales]
    networks = [network_names[i] for i in locale.tolist()]
    ipv6_home = rng.random(size) < profile.ipv6_home_share
    by_network = {
        network: iter(_ipv4(rng, HOME_PREFIXES_V4[network], networks.count(network)))
        for network in ("kz", "ru", "abroad")
    }
    v6 = iter(_ipv6(rng, int(ipv6_home.sum())))
    homes = [next(v6) if ipv6_home[i] else next(by_network[networks[i]]) for i in range(size)]
    pools: dict[str, tuple[int, int]] = {}
    addresses = list(homes)
    for name, prefixes in (
        ("mobile", MOBILE_PREFIXES_V4),
        ("office", HOME_PREFIXES_V4["kz"]),
        ("proxy", PROXY_PREFIXES_V4),
    ):
        pools[name] = (len(addresses), _POOL_SIZES[name])
        addresses += _ipv4(rng, prefixes, _POOL_SIZES[name])
    for position, bot in enumerate(BOTS):
        pools[f"bot{position}"] = (len(addresses), _POOL_SIZES["bot"])
        addresses += _ipv4(rng, bot.networks, _POOL_SIZES["bot"])
    user_ids = pl.Series([f'"u_{n}"' for n in user_numbers] + [None] * (size - users))
    return Population(
        n_users=users,
        user_numbers=user_numbers,
        segment=segment,
        app=app,
        language=language,
        activity=activity,
        mobile=mobile,
        gpc=gpc,
        null_user_agent=null_user_agent,
        zeroed_device_id=zeroed,
        sends_geo=sends_geo,
        geo_granted=geo_granted,
        home_lat=home_lat,
        home_lon=home_lon,
        owner=owner,
        lifecycle=lifecycle,
        anonymous_ids=pl.Series(anonymous_ids),
        user_ids=user_ids.cast(pl.String),
        device_parts=pl.Series(parts),
        bot_weights=np.array([bot.weight for bot in BOTS]),
        ips=pl.Series(addresses),
        ip_is_v6=np.array([":" in address for address in addresses]),
        pools=pools,
    )
