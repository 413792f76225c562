"""One day of visits: sessions made of steps, and the events and searches the steps produce.

A session is one subject (or crawler) on one device and network; it opens with a landing
page and continues with steps (a section page, a listing, a search and a click, an action
on a listing, an advert), each one or two events minutes apart. Everything is drawn for
the whole day at once as numpy arrays, in a fixed order from the one seeded generator.
Times are UTC milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from landing.clock import MS_PER_DAY, MS_PER_HOUR, SWITCH_MS, day_start_ms, offset_ms
from landing.contract import APPS, CATEGORIES, EVENT_TYPES
from landing.edges import flag
from landing.population import GPC_FALSE, GPC_TRUE
from landing.profile import Profile
from landing.queries import PII_KINDS, personal_data
from landing.search import NO_LIMIT, SearchEngine
from landing.tastes import DayTastes, segment_activity
from landing.vocabulary import APP_CHANNELS, BOTS, GEO_ACCURACY_M, LANGUAGES, WEB_CHANNELS
from landing.world import World

STEP_EVENTS: dict[str, tuple[str, ...]] = {
    "landing": ("page_view",),
    "page": ("page_view",),
    "view": ("listing_view",),
    "search_click": ("page_view", "search_result_click"),
    "search_only": ("page_view",),
    "favorite": ("listing_view", "favorite"),
    "contact": ("listing_view", "contact_request"),
    "rental": ("listing_view", "rental_request"),
    "booking": ("listing_view", "booking"),
    "ad": ("ad_impression",),
    "ad_click": ("ad_impression", "ad_click"),
    "promote": ("promotion_purchase",),
}
STEPS: tuple[str, ...] = tuple(STEP_EVENTS)
STEP = {name: code for code, name in enumerate(STEPS)}
EVENT = {name: code for code, name in enumerate(EVENT_TYPES)}
_EVENT_TABLE = np.array(
    [[EVENT[t] for t in events] + [-1] * (2 - len(events)) for events in STEP_EVENTS.values()]
)
_EVENT_COUNT = np.array([len(events) for events in STEP_EVENTS.values()])
_ACTION_CATEGORIES = {  # other categories fall back to contact_request
    "rental": ("accommodation", "car_rental"),
    "booking": ("accommodation", "car_rental", "tour", "attraction"),
}
NAVIGATION_EVENTS = np.isin(
    np.arange(len(EVENT_TYPES)),
    [EVENT["page_view"], EVENT["listing_view"], EVENT["search_result_click"]],
)
# Written by the payment backend, in UTC, when the payment goes through: never late.
SERVER_SIDE_EVENTS = np.isin(
    np.arange(len(EVENT_TYPES)), [EVENT["booking"], EVENT["promotion_purchase"]]
)
_LISTING_EVENTS = ~np.isin(np.arange(len(EVENT_TYPES)), [EVENT["page_view"]])
CHANNELS = WEB_CHANNELS + APP_CHANNELS
HUMAN, BOT, PROMOTION = 0, 1, 2
_WEB = APPS.index("web")
_LONGEST_SESSION_MS = 3 * MS_PER_HOUR


@dataclass(frozen=True)
class Sessions:
    kind: np.ndarray  # HUMAN, BOT or PROMOTION (an owner buying a promotion)
    subject: np.ndarray  # -1 for crawlers
    bot: np.ndarray  # index into BOTS, -1 for people
    promotion: np.ndarray  # index into the catalog's promotions, -1 unless PROMOTION
    start: np.ndarray
    logged_in: np.ndarray
    app: np.ndarray
    language: np.ndarray
    channel: np.ndarray  # index into CHANNELS
    pii_url: np.ndarray  # the landing URL carries an e-mail address or phone number
    ip: np.ndarray  # index into population.ips: what the `ip` field shows
    client: np.ndarray  # x_forwarded_for's client, -1 without a chain
    proxies: np.ndarray  # (sessions, 2) the chain's proxies, -1 pads
    client_port: np.ndarray  # port on the client entry, -1 without
    mapped: np.ndarray  # ip written as an IPv4-mapped IPv6 address
    edges: np.ndarray


@dataclass(frozen=True)
class Steps:
    session: np.ndarray
    kind: np.ndarray  # index into STEPS
    target: np.ndarray  # listing, -1 for general pages


@dataclass(frozen=True)
class Searches:
    step: np.ndarray
    session: np.ndarray
    ts: np.ndarray
    query: np.ndarray  # index into the world's QueryTable, -1: personal data alone
    personal_rows: np.ndarray  # searches with personal data typed in
    personal_texts: list[str]
    category: np.ndarray  # filters, -1 when absent
    district: np.ndarray
    check_in: np.ndarray  # days since 1970-01-01
    check_out: np.ndarray
    guests: np.ndarray
    price_low: np.ndarray
    price_high: np.ndarray
    results: np.ndarray  # (searches, per page) listing indices, -1 pads
    results_count: np.ndarray
    geo: tuple[np.ndarray, np.ndarray, np.ndarray]  # lat, lon (NaN: none), accuracy
    edges: np.ndarray


@dataclass(frozen=True)
class Events:
    session: np.ndarray
    step: np.ndarray
    type: np.ndarray  # index into EVENT_TYPES
    ts: np.ndarray  # as the record says: a skewed device clock runs ahead
    true_ts: np.ndarray  # when it happened
    arrival: np.ndarray  # when the site wrote it: its delivery day
    listing: np.ndarray  # -1: none
    search: np.ndarray  # index into Searches, -1: none
    amount: np.ndarray  # -1: none
    page: np.ndarray  # index of the navigation event whose page this event happened on
    previous_page: np.ndarray  # for navigation events: the page before, -1 on landing
    geo: tuple[np.ndarray, np.ndarray, np.ndarray]
    edges: np.ndarray


@dataclass(frozen=True)
class Day:
    day: date
    sessions: Sessions
    steps: Steps
    events: Events
    searches: Searches


def _categorical(rng: np.random.Generator, weights: list[float], count: int) -> np.ndarray:
    p = np.array(weights, dtype=float)
    return rng.choice(len(p), size=count, p=p / p.sum())


def _mean_step_events(shares: dict[str, float]) -> float:
    weights = np.array(list(shares.values()))
    counts = np.array([len(STEP_EVENTS[name]) for name in shares])
    return float((weights * counts).sum() / weights.sum())


def _exponential_ms(rng: np.random.Generator, mean_s: np.ndarray) -> np.ndarray:
    """Gaps of at least a second, exponentially distributed around `mean_s`."""
    return np.maximum(1_000, (rng.exponential(1.0, len(mean_s)) * mean_s * 1_000).astype(np.int64))


def _session_starts(
    rng: np.random.Generator, profile: Profile, t0: int, t1: int, count: int
) -> np.ndarray:
    """Start instants following the local hour-of-day pattern (the 25-hour day included)."""
    slots = t0 + np.arange((t1 - t0) // MS_PER_HOUR) * MS_PER_HOUR
    local_hour = ((slots + offset_ms(slots)) // MS_PER_HOUR) % 24
    weights = np.array(profile.hour_weights)[local_hour]
    slot = rng.choice(len(slots), size=count, p=weights / weights.sum())
    return slots[slot] + rng.integers(0, MS_PER_HOUR, count)


def _networks(
    rng: np.random.Generator, world: World, kind: np.ndarray, subject: np.ndarray, bot: np.ndarray
) -> dict[str, np.ndarray]:
    """Each session's network (home, carrier NAT, office), proxies, and how the edge logged it."""
    profile, population = world.profile, world.population
    count = len(kind)
    person = kind != BOT
    who = np.maximum(subject, 0)
    draw = rng.random(count)
    client = who.copy()  # index of the subject's home address
    mobile = person & population.mobile[who]
    for pool, mask in (
        ("mobile", mobile & (draw < profile.mobile_network_share)),
        ("office", person & ~mobile & (draw < profile.office_network_share)),
    ):
        first, size = population.pools[pool]
        client[mask] = first + rng.integers(0, size, mask.sum())
    for position in range(len(BOTS)):
        mine = bot == position
        first, size = population.pools[f"bot{position}"]
        client[mine] = first + rng.integers(0, size, mine.sum())
    forwarded = person & (rng.random(count) < profile.forwarded_share)
    first, size = population.pools["proxy"]
    proxies = first + rng.integers(0, size, (count, 2))
    proxies[rng.random(count) >= profile.two_proxies_share, 1] = -1
    proxies[~forwarded] = -1
    last_proxy = np.where(proxies[:, 1] >= 0, proxies[:, 1], proxies[:, 0])
    with_port = forwarded & (rng.random(count) < profile.forwarded_port_share)
    v6 = population.ip_is_v6[client]
    mapped = ~forwarded & ~v6 & (rng.random(count) < profile.ipv4_mapped_share)
    return {
        "ip": np.where(forwarded, last_proxy, client),
        "client": np.where(forwarded, client, -1),
        "proxies": proxies,
        "client_port": np.where(with_port, rng.integers(1024, 65536, count), -1),
        "mapped": mapped,
        "ipv6": ~forwarded & v6,
    }


def _draw_sessions(
    rng: np.random.Generator, world: World, day: date, t0: int, t1: int, events_per_day: int
) -> Sessions:
    profile, population, catalog = world.profile, world.population, world.catalog
    lifecycle = population.lifecycle
    human_events = 1 + profile.mean_extra_steps * _mean_step_events(profile.step_shares)
    bot_events = 1 + profile.bot_mean_steps
    per_session = human_events + profile.bot_session_share * (bot_events - human_events)
    target = (
        events_per_day
        * profile.month_factor[day.month - 1]
        * profile.weekday_factor[day.weekday()]
        * (t1 - t0)
        / MS_PER_DAY
    )
    total = rng.poisson(target / per_session)
    bots = rng.binomial(total, profile.bot_session_share)
    anonymous = rng.binomial(total - bots, profile.anonymous_session_share)

    users = population.n_users
    weight = population.activity * segment_activity(profile, day.month)[population.segment]
    holders = np.arange(users)
    may = lifecycle.may_visit(np.full(users, t0), holders)
    may |= lifecycle.may_visit(np.full(users, t1 - 1), holders)
    weight[:users] *= may
    account_p = weight[:users] / weight[:users].sum()
    visitor_p = weight[users:] / weight[users:].sum()
    subject = np.concatenate(
        [
            rng.choice(users, size=total - bots - anonymous, p=account_p),
            users + rng.choice(len(visitor_p), size=anonymous, p=visitor_p),
        ]
    )
    start = _session_starts(rng, profile, t0, t1, len(subject))
    holder = np.minimum(subject, users - 1)
    # The whole session, however long, happens while the account holder still uses the site.
    keep = (subject >= users) | (
        lifecycle.may_visit(start, holder)
        & lifecycle.may_visit(start + _LONGEST_SESSION_MS, holder)
    )
    subject, start = subject[keep], start[keep]

    crawler = rng.choice(
        len(BOTS), size=bots, p=population.bot_weights / population.bot_weights.sum()
    )
    first, last = np.searchsorted(catalog.promotion_at, [t0, t1])
    promotion = np.arange(first, last)
    humans = len(subject)
    kind = np.concatenate(
        [np.full(humans, HUMAN), np.full(bots, BOT), np.full(len(promotion), PROMOTION)]
    )
    subject = np.concatenate(
        [subject, np.full(bots, -1), catalog.owner[catalog.promotion_listing[promotion]]]
    )
    start = np.concatenate(
        [start, t0 + rng.integers(0, t1 - t0, bots), catalog.promotion_at[promotion]]
    )
    count = len(kind)
    person = kind != BOT
    who = np.maximum(subject, 0)
    holder = np.minimum(who, users - 1)
    logged_in = person & (subject < users) & (start >= lifecycle.opened[holder])
    logged_in &= (kind == PROMOTION) | (rng.random(count) >= profile.logged_out_share)
    app = np.where(person, population.app[who], _WEB)
    language = np.where(person, population.language[who], rng.integers(0, len(LANGUAGES), count))
    web_channel = _categorical(rng, [c[2] for c in WEB_CHANNELS], count)
    app_channel = len(WEB_CHANNELS) + _categorical(rng, [c[2] for c in APP_CHANNELS], count)
    channel = np.where(kind == HUMAN, np.where(app == _WEB, web_channel, app_channel), 0)
    pii_url = (kind == HUMAN) & (rng.random(count) < profile.pii_url_share)
    bot = np.concatenate([np.full(humans, -1), crawler, np.full(len(promotion), -1)])
    network = _networks(rng, world, kind, subject, bot)

    gpc = np.where(person, population.gpc[who], 0)
    silent_bots = [i for i, b in enumerate(BOTS) if b.user_agent is None]
    edges = np.zeros(count, dtype=np.int64)
    for name, mask in (
        ("bot", kind == BOT),
        ("ipv6", network["ipv6"]),
        ("ipv4_mapped", network["mapped"]),
        ("x_forwarded_for", network["client"] >= 0),
        ("gpc_true", gpc == GPC_TRUE),
        ("gpc_false", gpc == GPC_FALSE),
        ("null_user_agent", (person & population.null_user_agent[who]) | np.isin(bot, silent_bots)),
        ("zeroed_device_id", person & population.zeroed_device_id[who]),
    ):
        edges |= np.where(mask, flag(name), 0)
    return Sessions(
        kind=kind,
        subject=subject,
        bot=bot,
        promotion=np.concatenate([np.full(humans + bots, -1), promotion]),
        start=start,
        logged_in=logged_in,
        app=app,
        language=language,
        channel=channel,
        pii_url=pii_url,
        ip=network["ip"],
        client=network["client"],
        proxies=network["proxies"],
        client_port=network["client_port"],
        mapped=network["mapped"],
        edges=edges,
    )


def _draw_steps(
    rng: np.random.Generator,
    world: World,
    sessions: Sessions,
    tastes: DayTastes,
    price: np.ndarray,
) -> Steps:
    profile, catalog = world.profile, world.catalog
    count = len(sessions.kind)
    human = sessions.kind == HUMAN
    extra = np.where(
        human,
        rng.geometric(1 / (profile.mean_extra_steps + 1), count) - 1,
        np.where(sessions.kind == BOT, rng.geometric(1 / profile.bot_mean_steps, count), 1),
    )
    session = np.repeat(np.arange(count), 1 + extra)
    first = np.cumsum(1 + extra) - (1 + extra)
    position = np.arange(len(session)) - first[session]
    session_kind = sessions.kind[session]
    human_steps = np.array([STEP[name] for name in profile.step_shares])
    bot_steps = np.array([STEP[name] for name in profile.bot_step_shares])
    kind = np.select(
        [position == 0, session_kind == HUMAN, session_kind == BOT],
        [
            STEP["landing"],
            human_steps[_categorical(rng, list(profile.step_shares.values()), len(session))],
            bot_steps[_categorical(rng, list(profile.bot_step_shares.values()), len(session))],
        ],
        STEP["promote"],
    )

    target = np.full(len(session), -1, dtype=np.int64)
    is_ad = np.isin(kind, [STEP["ad"], STEP["ad_click"]])
    subject = sessions.subject[session]
    rows = np.flatnonzero((session_kind == HUMAN) & ~is_ad)
    target[rows] = tastes.pick(rng, subject[rows], world.population.segment[subject[rows]])
    rows = np.flatnonzero((session_kind == HUMAN) & is_ad)
    target[rows] = tastes.adverts(rng, len(rows))
    rows = np.flatnonzero(session_kind == BOT)
    target[rows] = tastes.crawl(rng, len(rows))
    rows = np.flatnonzero(session_kind == PROMOTION)
    target[rows] = catalog.promotion_listing[sessions.promotion[session[rows]]]

    category = catalog.category[np.maximum(target, 0)]
    for action, categories in _ACTION_CATEGORIES.items():
        allowed = np.isin(category, [CATEGORIES.index(c) for c in categories])
        kind[(kind == STEP[action]) & ~allowed] = STEP["contact"]
    kind[(kind == STEP["booking"]) & (price[np.maximum(target, 0)] <= 0)] = STEP["contact"]
    kind[(target < 0) & (position > 0)] = STEP["page"]  # nothing live to show
    return Steps(session=session, kind=kind, target=target)


def _query_languages(
    rng: np.random.Generator, profile: Profile, site_language: np.ndarray
) -> np.ndarray:
    language = np.empty(len(site_language), dtype=np.int64)
    for code, name in enumerate(LANGUAGES):
        rows = np.flatnonzero(site_language == code)
        mix = profile.query_language_mix[name]
        language[rows] = _categorical(rng, [mix[other] for other in LANGUAGES], len(rows))
    return language


def _geo(
    rng: np.random.Generator, world: World, sessions: Sessions, session: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Device location of app records whose subject lets the app send it, and edge flags."""
    population = world.population
    who = np.maximum(sessions.subject[session], 0)
    sends = (sessions.kind[session] != BOT) & (sessions.app[session] != _WEB)
    sends &= population.sends_geo[who] & (rng.random(len(session)) < world.profile.geo_fix_share)
    rows = np.flatnonzero(sends)
    jitter = rng.normal(0.0, 0.003, (len(rows), 2))
    lat = np.full(len(session), np.nan)
    lon = np.full(len(session), np.nan)
    lat[rows] = population.home_lat[who[rows]] + jitter[:, 0]
    lon[rows] = population.home_lon[who[rows]] + jitter[:, 1]
    accuracy = np.zeros(len(session), dtype=np.int64)
    accuracy[rows] = np.array(GEO_ACCURACY_M)[rng.integers(0, len(GEO_ACCURACY_M), len(rows))]
    edges = np.where(sends, flag("geo"), 0)
    edges |= np.where(sends & ~population.geo_granted[who], flag("geo_without_consent"), 0)
    return (lat, lon, accuracy), edges


@dataclass(frozen=True)
class _SearchPlan:
    """What each search step looks for, decided before its events are laid out."""

    step: np.ndarray
    query: np.ndarray
    personal_rows: np.ndarray
    personal_texts: list[str]
    card: np.ndarray  # per personal row
    filters: dict[str, np.ndarray]
    results: np.ndarray
    results_count: np.ndarray


def _plan_searches(
    rng: np.random.Generator,
    world: World,
    day: date,
    sessions: Sessions,
    steps: Steps,
    engine: SearchEngine,
    price: np.ndarray,
) -> _SearchPlan:
    """Queries, filters and results; searches that find nothing lose their click."""
    profile, catalog = world.profile, world.catalog
    step = np.flatnonzero(np.isin(steps.kind, [STEP["search_click"], STEP["search_only"]]))
    count = len(step)
    session = steps.session[step]
    target = np.maximum(steps.target[step], 0)
    zero = rng.random(count) < profile.zero_result_share
    personal = ~zero & (rng.random(count) < profile.pii_query_share)
    alone = personal & (rng.random(count) < profile.pii_alone_share)
    found = ~(zero | alone)
    steps.kind[step[~found]] = STEP["search_only"]

    language = _query_languages(rng, profile, sessions.language[session])
    query = world.queries.pick(rng, np.where(zero, -1, catalog.kind[target]), language)
    query[alone] = -1
    personal_rows = np.flatnonzero(personal)
    texts, kinds = personal_data(rng, len(personal_rows), profile.card_share)
    personal_texts = [
        text if query[row] < 0 else f"{world.queries.texts[query[row]]} {text}"
        for row, text in zip(personal_rows, texts, strict=True)
    ]

    category = catalog.category[target]
    share = rng.random((6, count))
    filters = {
        "category": np.where(found & (share[0] < profile.category_filter_share), category, -1),
        "district": np.where(
            found & (share[1] < profile.district_filter_share), catalog.district[target], -1
        ),
    }
    filtered_zero = zero & (share[0] < profile.zero_result_category_share)
    filters["category"][filtered_zero] = rng.integers(0, len(CATEGORIES), filtered_zero.sum())
    stays = np.isin(category, [CATEGORIES.index("accommodation"), CATEGORIES.index("car_rental")])
    dated = found & stays & (share[2] < profile.dates_filter_share)
    today = (day - date(1970, 1, 1)).days
    filters["check_in"] = np.where(dated, today + rng.geometric(1 / 14, count) - 1, -1)
    filters["check_out"] = np.where(dated, filters["check_in"] + rng.integers(1, 8, count), -1)
    groups = np.isin(category, [CATEGORIES.index("accommodation"), CATEGORIES.index("tour")])
    guests = 1 + _categorical(rng, list(profile.guests_shares), count)
    filters["guests"] = np.where(
        found & groups & (share[3] < profile.guests_filter_share), guests, -1
    )
    target_price = price[target]
    priced = found & (share[4] < profile.price_filter_share) & (target_price > 0)
    low = np.floor(target_price * rng.uniform(0.4, 0.9, count) / 1000) * 1000
    high = np.ceil(target_price * rng.uniform(1.1, 2.0, count) / 1000) * 1000
    with_low = priced & (share[5] < profile.price_min_share)
    filters["price_low"] = np.where(with_low, low, -1).astype(np.int64)
    filters["price_high"] = np.where(priced, high, -1).astype(np.int64)

    results = np.full((count, profile.results_per_page), -1, dtype=np.int64)
    results_count = np.zeros(count, dtype=np.int64)
    rows = np.flatnonzero(found)
    results[rows], results_count[rows] = engine.results(
        rng,
        target[rows],
        filters["district"][rows] >= 0,
        np.maximum(filters["price_low"][rows], 0),
        np.where(filters["price_high"][rows] >= 0, filters["price_high"][rows], NO_LIMIT),
        profile.results_per_page,
    )
    return _SearchPlan(
        step=step,
        query=query,
        personal_rows=personal_rows,
        personal_texts=personal_texts,
        card=kinds == PII_KINDS.index("card"),
        filters=filters,
        results=results,
        results_count=results_count,
    )


def _lay_out_events(
    rng: np.random.Generator,
    world: World,
    sessions: Sessions,
    steps: Steps,
    plan: _SearchPlan,
    price: np.ndarray,
    t1: int,
) -> tuple[Events, np.ndarray]:
    """Events of every step with their times and delivery; also each step's first event."""
    profile, catalog = world.profile, world.catalog
    per_step = _EVENT_COUNT[steps.kind]
    step = np.repeat(np.arange(len(steps.kind)), per_step)
    step_first = np.cumsum(per_step) - per_step
    within_step = np.arange(len(step)) - step_first[step]
    event_type = _EVENT_TABLE[steps.kind[step], within_step]
    session = steps.session[step]
    count = len(step)

    mean_gap = np.where(
        within_step > 0,
        profile.action_gap_s,
        np.where(sessions.kind[session] == BOT, profile.bot_gap_s, profile.step_gap_s),
    )
    gap = _exponential_ms(rng, mean_gap)
    opens = np.r_[True, session[1:] != session[:-1]]
    gap[opens] = 0
    elapsed = np.cumsum(gap)
    elapsed -= elapsed[np.flatnonzero(opens)][np.cumsum(opens) - 1]
    ts = sessions.start[session] + elapsed
    # An owner's promotion session ends with the payment at the time the catalog records.
    paid = np.flatnonzero(event_type == EVENT["promotion_purchase"])
    shift = np.zeros(len(sessions.kind), dtype=np.int64)
    shift[session[paid]] = -elapsed[paid]
    ts += shift[session]

    listing = np.where(_LISTING_EVENTS[event_type], steps.target[step], -1)
    step_search = np.full(len(steps.kind), -1)
    step_search[plan.step] = np.arange(len(plan.step))
    search = np.where(event_type == EVENT["search_result_click"], step_search[step], -1)
    units = np.minimum(rng.geometric(profile.units_p, count), profile.max_units)
    amount = np.where(event_type == EVENT["booking"], price[np.maximum(listing, 0)] * units, -1)
    amount[paid] = catalog.promotion_amount[sessions.promotion[session[paid]]]

    navigation = NAVIGATION_EVENTS[event_type]
    page = np.maximum.accumulate(np.where(navigation, np.arange(count), 0))
    pages = np.flatnonzero(navigation)
    before = np.r_[-1, pages[:-1]]
    previous_page = np.full(count, -1)
    previous_page[pages] = np.where(
        (before >= 0) & (session[np.maximum(before, 0)] == session[pages]), before, -1
    )

    geo, edges = _geo(rng, world, sessions, session)
    server = SERVER_SIDE_EVENTS[event_type]
    edges |= sessions.edges[session]
    landing = np.flatnonzero(opens)[np.cumsum(opens) - 1]
    edges |= np.where(sessions.pii_url[session] & (page == landing), flag("pii_url"), 0)

    client = ~server & (sessions.kind[session] != BOT)
    late = client & (sessions.app[session] != _WEB) & (rng.random(count) < profile.late_share)
    delay = rng.geometric(1 / profile.late_mean_days, count) * MS_PER_DAY
    arrival = np.where(late, ts + delay + rng.integers(0, 6 * MS_PER_HOUR, count), ts)
    # A device clock up to a few minutes fast: the day's last events look like tomorrow's.
    fast_ms = profile.clock_skew_max_s * 1_000
    window = client & ~late & (ts < t1) & (ts > t1 - fast_ms + 1_000)
    wanted = rng.binomial(int(client.sum()), profile.clock_skew_share)
    skew = np.zeros(count, dtype=bool)
    skew[rng.permutation(np.flatnonzero(window))[:wanted]] = True
    least = t1 - ts + 1_000  # enough to cross midnight
    skewed = ts + least + (rng.random(count) * (fast_ms - least)).astype(np.int64)
    clock = np.where(skew, skewed, ts)  # what the device wrote; `ts` stays the true time
    edges |= np.where(late, flag("late"), 0) | np.where(skew, flag("clock_skew"), 0)
    edges |= np.where(server, flag("utc_z"), np.where(clock < SWITCH_MS, flag("offset_plus_06"), 0))
    events = Events(
        session=session,
        step=step,
        type=event_type,
        ts=clock,
        true_ts=ts,
        arrival=arrival,
        listing=listing,
        search=search,
        amount=amount,
        page=page,
        previous_page=previous_page,
        geo=geo,
        edges=edges,
    )
    return events, step_first


def _finish_searches(
    rng: np.random.Generator,
    world: World,
    sessions: Sessions,
    steps: Steps,
    plan: _SearchPlan,
    events: Events,
    step_first: np.ndarray,
) -> Searches:
    """Searches run just before their results page is shown, on the same device."""
    session = steps.session[plan.step]
    page_view = step_first[plan.step]
    ts = events.true_ts[page_view] - rng.integers(50, 900, len(plan.step))
    geo, edges = _geo(rng, world, sessions, session)
    edges |= sessions.edges[session] | np.where(ts < SWITCH_MS, flag("offset_plus_06"), 0)
    edges[plan.personal_rows] |= flag("pii_query")
    edges[plan.personal_rows[plan.card]] |= flag("card_number")
    edges |= np.where(plan.results_count == 0, flag("zero_result_search"), 0)
    f = plan.filters
    return Searches(
        step=plan.step,
        session=session,
        ts=ts,
        query=plan.query,
        personal_rows=plan.personal_rows,
        personal_texts=plan.personal_texts,
        category=f["category"],
        district=f["district"],
        check_in=f["check_in"],
        check_out=f["check_out"],
        guests=f["guests"],
        price_low=f["price_low"],
        price_high=f["price_high"],
        results=plan.results,
        results_count=plan.results_count,
        geo=geo,
        edges=edges,
    )


def simulate_day(rng: np.random.Generator, world: World, day: date, events_per_day: int) -> Day:
    """The sessions, events and searches of one Almaty day."""
    catalog = world.catalog
    t0, t1 = day_start_ms(day), day_start_ms(day + timedelta(days=1))
    live = catalog.live(t0, t1)
    version = catalog.current_version(t0)
    price = np.where(version >= 0, catalog.version_price[version], -1)
    promoted = (version >= 0) & (catalog.version_promoted_until[version] > t0)
    tastes = DayTastes(world.profile, catalog, world.favorites, live, promoted, day.month)
    engine = SearchEngine.for_day(
        catalog.kind, catalog.district, tastes.searchable, promoted, catalog.popularity, price
    )
    sessions = _draw_sessions(rng, world, day, t0, t1, events_per_day)
    steps = _draw_steps(rng, world, sessions, tastes, price)
    plan = _plan_searches(rng, world, day, sessions, steps, engine, price)
    events, step_first = _lay_out_events(rng, world, sessions, steps, plan, price, t1)
    searches = _finish_searches(rng, world, sessions, steps, plan, events, step_first)
    return Day(day, sessions, steps, events, searches)
