"""A simulated day as the website writes it: event and search lines, built column-wise.

Keys: the record's own id (and type) and ts, the common fields, then the feed's own. Every
line leaves here with its routing stream (the app that sent it), the instant it reached
the site (which decides its delivery day) and its edge-case flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import numpy as np
import polars as pl

from landing.contract import CATEGORIES, DISTRICTS, EVENT_TYPES
from landing.encode import (
    decimals,
    evaluate,
    fragments,
    gather,
    integers,
    json_array,
    json_objects,
    quoted,
    timestamps,
    uuid4_strings,
)
from landing.pii import email_addresses, phone_numbers
from landing.sessions import (
    BOT,
    CHANNELS,
    EVENT,
    NAVIGATION_EVENTS,
    PROMOTION,
    SERVER_SIDE_EVENTS,
    STEP,
    Day,
    Searches,
    Sessions,
)
from landing.vocabulary import GENERAL_PATHS, KINDS, LANGUAGES, PROMOTE_PATH, SITE
from landing.world import World

_PATH_GENERAL, _PATH_SECTION, _PATH_LISTING, _PATH_SEARCH, _PATH_PROMOTE = range(5)


@dataclass(frozen=True)
class Encodings:
    """JSON fragments of everything the days reuse, encoded once per run."""

    event_types: pl.Series
    listing_ids: pl.Series  # quoted
    listing_paths: pl.Series  # unquoted ids, for URLs
    user_ids: pl.Series
    anonymous_ids: pl.Series  # quoted
    device_parts: pl.Series
    ips: pl.Series  # unquoted
    ip_is_v6: np.ndarray
    query_texts: pl.Series  # JSON strings
    query_urls: pl.Series  # URL-encoded for ?q=
    sections: pl.Series  # site section per listing kind
    general_paths: pl.Series
    prefixes: pl.Series  # site root per language
    channel_referrers: pl.Series  # JSON string or null
    channel_campaigns: pl.Series  # utm query string or null
    categories: pl.Series
    districts: pl.Series

    @classmethod
    def build(cls, world: World) -> Encodings:
        population = world.population
        texts = world.queries.texts
        return cls(
            event_types=fragments(EVENT_TYPES),
            listing_ids=quoted(world.catalog.ids),
            listing_paths=world.catalog.ids,
            user_ids=population.user_ids,
            anonymous_ids=quoted(population.anonymous_ids),
            device_parts=population.device_parts,
            ips=population.ips,
            ip_is_v6=population.ip_is_v6,
            query_texts=fragments(texts),
            query_urls=pl.Series([quote_plus(text) for text in texts]),
            sections=pl.Series([kind.section for kind in KINDS]),
            general_paths=pl.Series(GENERAL_PATHS),
            prefixes=pl.Series([f"{SITE}{language}/" for language in LANGUAGES]),
            channel_referrers=fragments([referrer for referrer, _, _ in CHANNELS]),
            channel_campaigns=pl.Series([campaign for _, campaign, _ in CHANNELS]),
            categories=fragments(CATEGORIES),
            districts=fragments(DISTRICTS),
        )


def _concat(*parts: pl.Series | str) -> pl.Series:
    """Row-wise concatenation of columns and literals (null if any part is null)."""
    columns = {f"c{i}": part for i, part in enumerate(parts) if not isinstance(part, str)}
    expressions = [
        pl.lit(part) if isinstance(part, str) else pl.col(f"c{i}") for i, part in enumerate(parts)
    ]
    return evaluate(pl.concat_str(expressions), columns)


def _when(
    mask: np.ndarray, then: pl.Series | str, otherwise: pl.Series | str | None = None
) -> pl.Series:
    """`then` where `mask` holds, else `otherwise` (null when not given)."""
    columns: dict[str, pl.Series | np.ndarray] = {"mask": mask}
    branches = []
    for name, value in (("then", then), ("otherwise", otherwise)):
        if isinstance(value, pl.Series):
            columns[name] = value
            branches.append(pl.col(name))
        else:
            branches.append(pl.lit(value, dtype=pl.String))
    return evaluate(pl.when(pl.col("mask")).then(branches[0]).otherwise(branches[1]), columns)


def _session_columns(enc: Encodings, world: World, sessions: Sessions) -> dict[str, pl.Series]:
    """Per session: user_id, anonymous_id, and the network and device fields as one fragment."""
    person = sessions.kind != BOT
    who = np.maximum(sessions.subject, 0)
    user = _when(sessions.logged_in, gather(enc.user_ids, who))
    address = gather(enc.ips, sessions.ip)
    ip = _concat('"', _when(sessions.mapped, "::ffff:", ""), address, '"')
    client = gather(enc.ips, np.maximum(sessions.client, 0))
    port = sessions.client_port
    v6 = enc.ip_is_v6[np.maximum(sessions.client, 0)]
    entry = _when(
        port >= 0,
        _when(
            v6,
            _concat("[", client, "]:", pl.Series(port).cast(pl.String)),
            _concat(client, ":", pl.Series(port).cast(pl.String)),
        ),
        client,
    )
    second = _when(
        sessions.proxies[:, 1] >= 0,
        _concat(", ", gather(enc.ips, np.maximum(sessions.proxies[:, 1], 0))),
        "",
    )
    chain = _concat(
        '"', entry, ", ", gather(enc.ips, np.maximum(sessions.proxies[:, 0], 0)), second, '"'
    )
    forwarded = _when(sessions.client >= 0, chain, "null")
    device = gather(enc.device_parts, np.where(person, who, world.population.size + sessions.bot))
    columns = {
        "user_id": user,
        "anonymous_id": gather(enc.anonymous_ids, who),
        "common": _concat('"ip":', ip, ',"x_forwarded_for":', forwarded, ",", device),
    }
    return {name: column.rechunk() for name, column in columns.items()}  # gathered per event


def _query_columns(enc: Encodings, searches: Searches) -> tuple[pl.Series, pl.Series]:
    """Each search's query as a JSON string and URL-encoded, personal data included."""
    index = np.maximum(searches.query, 0)
    text = enc.query_texts.gather(index)
    url = enc.query_urls.gather(index)
    if len(searches.personal_rows):
        text = text.scatter(searches.personal_rows, fragments(searches.personal_texts))
        url = url.scatter(
            searches.personal_rows, pl.Series([quote_plus(t) for t in searches.personal_texts])
        )
    return text, url


def _personal_parameters(rng: np.random.Generator, count: int, email_share: float) -> list[str]:
    """What a newsletter link or a call-back form leaves in a URL's query string."""
    emails = email_addresses(rng, count)
    phones = phone_numbers(rng, count)
    use_email = rng.random(count) < email_share
    return [
        f"email={quote(email, safe='')}" if by_email else f"phone={quote(phone, safe='')}"
        for email, phone, by_email in zip(emails, phones, use_email, strict=True)
    ]


def _page_urls(
    rng: np.random.Generator,
    enc: Encodings,
    world: World,
    day: Day,
    search_urls: pl.Series,
) -> pl.Series:
    """Quoted URL of the page each navigation event opened, in event order."""
    events, steps, sessions = day.events, day.steps, day.sessions
    rows = np.flatnonzero(NAVIGATION_EVENTS[events.type])
    step = events.step[rows]
    step_kind = steps.kind[step]
    target = steps.target[step]
    listing = np.maximum(target, 0)
    session = events.session[rows]
    landing = step_kind == STEP["landing"]
    draw = rng.random(len(rows))
    profile = world.profile
    section_share = np.where(landing, profile.landing_section_share, profile.page_section_share)
    section = (target >= 0) & (draw < section_share)
    home = landing & ~section & (draw < profile.landing_section_share + profile.landing_home_share)
    code = np.select(
        [
            sessions.kind[session] == PROMOTION,
            events.type[rows] != EVENT["page_view"],
            np.isin(step_kind, [STEP["search_click"], STEP["search_only"]]),
            section,
        ],
        [_PATH_PROMOTE, _PATH_LISTING, _PATH_SEARCH, _PATH_SECTION],
        _PATH_GENERAL,
    )
    general = np.where(home, 0, rng.integers(1, len(GENERAL_PATHS), len(rows)))
    step_search = np.full(len(steps.kind), -1)
    step_search[day.searches.step] = np.arange(len(day.searches.step))
    personal = pl.repeat(None, len(sessions.kind), dtype=pl.String, eager=True)
    tagged = np.flatnonzero(sessions.pii_url)
    if len(tagged):
        parameters = _personal_parameters(rng, len(tagged), profile.pii_url_email_share)
        personal = personal.scatter(tagged, pl.Series(parameters))
    opens_session = landing & (code != _PATH_PROMOTE)
    columns = {
        "code": code,
        "prefix": gather(enc.prefixes, sessions.language[session]),
        "listing": gather(enc.listing_paths, listing),
        "section": gather(enc.sections, world.catalog.kind[listing]),
        "general": gather(enc.general_paths, general),
        "query": gather(search_urls, step_search[step]),
        "click": events.type[rows] == EVENT["search_result_click"],
        "campaign": _when(opens_session, gather(enc.channel_campaigns, sessions.channel[session])),
        "personal": _when(opens_session, personal.gather(session)),
    }
    promote_head, promote_tail = PROMOTE_PATH.split("{listing_id}")
    path_code = pl.col("code")
    path = (
        pl.when(path_code == _PATH_PROMOTE)
        .then(pl.concat_str([pl.lit(promote_head), pl.col("listing"), pl.lit(promote_tail)]))
        .when(path_code == _PATH_LISTING)
        .then(
            pl.concat_str(
                [
                    pl.lit("listing/"),
                    pl.col("listing"),
                    pl.when(pl.col("click")).then(pl.lit("?ref=search")).otherwise(pl.lit("")),
                ]
            )
        )
        .when(path_code == _PATH_SEARCH)
        .then(pl.concat_str([pl.lit("search?q="), pl.col("query")]))
        .when(path_code == _PATH_SECTION)
        .then(pl.col("section"))
        .otherwise(pl.col("general"))
    )
    query_string = pl.concat_str(
        [pl.col("campaign"), pl.col("personal")], separator="&", ignore_nulls=True
    ).fill_null("")
    suffix = pl.when(query_string.str.len_bytes() > 0).then(pl.lit("?") + query_string)
    url = pl.concat_str(
        [pl.lit('"'), pl.col("prefix"), path, suffix.otherwise(pl.lit("")), pl.lit('"')]
    )
    return evaluate(url, columns).rechunk()  # gathered from per event


def _geo_column(geo: tuple[np.ndarray, np.ndarray, np.ndarray]) -> pl.Series:
    lat, lon, accuracy = geo
    rows = np.flatnonzero(~np.isnan(lat))
    text = _concat(
        '{"lat":',
        decimals(lat[rows], 5),
        ',"lon":',
        decimals(lon[rows], 5),
        ',"accuracy_m":',
        integers(accuracy[rows]),
        "}",
    )
    return pl.repeat(None, len(lat), dtype=pl.String, eager=True).scatter(rows, text)


def _filters_column(enc: Encodings, searches: Searches) -> pl.Series:
    def optional(values: np.ndarray, key: str, text: pl.Series) -> pl.Series:
        return _when(values >= 0, _concat(f'"{key}":', text))

    def dates(days: np.ndarray) -> pl.Series:
        text = pl.Series(np.maximum(days, 0)).cast(pl.Date).dt.to_string("%Y-%m-%d")
        return _concat('"', text, '"')

    pieces = [
        optional(
            searches.category, "category", gather(enc.categories, np.maximum(searches.category, 0))
        ),
        optional(
            searches.district, "district", gather(enc.districts, np.maximum(searches.district, 0))
        ),
        optional(searches.check_in, "check_in", dates(searches.check_in)),
        optional(searches.check_out, "check_out", dates(searches.check_out)),
        optional(searches.guests, "guests", integers(searches.guests)),
        optional(searches.price_low, "price_min_kzt", integers(searches.price_low)),
        optional(searches.price_high, "price_max_kzt", integers(searches.price_high)),
    ]
    joined = pl.concat_str([pl.lit(p) for p in pieces], separator=",", ignore_nulls=True)
    return pl.select(pl.concat_str([pl.lit("{"), joined.fill_null(""), pl.lit("}")])).to_series()


def day_lines(
    rng: np.random.Generator, enc: Encodings, world: World, day: Day
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(events, searches) of a simulated day as frames of line, stream, arrival, edges."""
    sessions, events, searches = day.sessions, day.events, day.searches
    common = _session_columns(enc, world, sessions)
    search_ids = quoted(uuid4_strings(rng, len(searches.ts)))
    query_texts, query_urls = _query_columns(enc, searches)

    anonymous = gather(common["anonymous_id"], events.session)
    crawled = np.flatnonzero(sessions.kind[events.session] == BOT)
    if len(crawled):  # crawlers keep no cookie: a new anonymous_id on every request
        anonymous = anonymous.scatter(crawled, quoted(uuid4_strings(rng, len(crawled))))
    navigation = NAVIGATION_EVENTS[events.type]
    rank = np.cumsum(navigation) - 1
    urls = _page_urls(rng, enc, world, day, query_urls)
    previous = events.previous_page[navigation]
    channel = sessions.channel[events.session[navigation]]
    referrers = _when(
        previous >= 0,
        urls.gather(rank[np.maximum(previous, 0)]),
        gather(enc.channel_referrers, channel),
    ).rechunk()
    page = rank[events.page]
    event_lines = json_objects(
        [
            ("event_id", quoted(uuid4_strings(rng, len(events.ts)))),
            ("event_type", gather(enc.event_types, events.type)),
            ("ts", timestamps(events.ts, utc=SERVER_SIDE_EVENTS[events.type])),
            ("user_id", gather(common["user_id"], events.session)),
            ("anonymous_id", anonymous),
            (None, gather(common["common"], events.session)),
            ("page_url", urls.gather(page)),
            ("referrer", referrers.gather(page)),
            ("listing_id", gather(enc.listing_ids, events.listing)),
            ("search_id", gather(search_ids, events.search)),
            ("amount_kzt", integers(events.amount, events.amount >= 0)),
            ("geo", _geo_column(events.geo)),
        ]
    )
    search_lines = json_objects(
        [
            ("search_id", search_ids),
            ("ts", timestamps(searches.ts)),
            ("user_id", gather(common["user_id"], searches.session)),
            ("anonymous_id", gather(common["anonymous_id"], searches.session)),
            (None, gather(common["common"], searches.session)),
            ("query", query_texts),
            ("filters", _filters_column(enc, searches)),
            ("results_count", integers(searches.results_count)),
            ("result_listing_ids", json_array(enc.listing_ids, searches.results)),
            ("geo", _geo_column(searches.geo)),
        ]
    )
    return (
        _frame(event_lines, sessions.app[events.session], events.arrival, events.edges),
        _frame(search_lines, sessions.app[searches.session], searches.ts, searches.edges),
    )


def _frame(
    lines: pl.Series, stream: np.ndarray, arrival: np.ndarray, edges: np.ndarray
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "line": lines,
            "stream": stream.astype(np.int8),
            "arrival": arrival.astype(np.int64),
            "edges": edges.astype(np.int64),
        }
    )
