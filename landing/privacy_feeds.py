"""The privacy feeds: account lifecycle, consent changes and formal erasure requests.

Each is the full history up to the end of the run; records before the first day arrive
with the first delivery (the initial export), later ones on their own day. Accounts and
consent are written in Almaty time, erasure requests (a legal team's tool) in UTC.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from landing.clock import MS_PER_DAY, MS_PER_MINUTE, SWITCH_MS
from landing.contract import CONSENT_SCOPES
from landing.edges import flag
from landing.encode import fragments, gather, json_objects, quoted, timestamps
from landing.population import ERASURE_KINDS, NEVER
from landing.world import World

_YEAR_MS = 365 * MS_PER_DAY


def _frame(at_ms: np.ndarray, line: pl.Series, edges: np.ndarray) -> pl.DataFrame:
    order = np.argsort(at_ms, kind="stable")
    return pl.DataFrame(
        {"arrival": at_ms[order], "line": line.gather(order), "edges": edges[order]}
    )


def _old(at_ms: np.ndarray) -> np.ndarray:
    return np.where(at_ms < SWITCH_MS, flag("offset_plus_06"), 0)


def account_lines(world: World) -> pl.DataFrame:
    """`active` at opening, `terminated` when cooperation ended, `active` again on reopening."""
    lifecycle, users = world.population.lifecycle, world.population.n_users
    holders = np.arange(users)
    ended = lifecycle.terminated < NEVER
    back = lifecycle.reopened < NEVER
    user = np.concatenate([holders, holders[ended], holders[back]])
    at = np.concatenate([lifecycle.opened, lifecycle.terminated[ended], lifecycle.reopened[back]])
    active = np.concatenate(
        [np.ones(users, bool), np.zeros(ended.sum(), bool), np.ones(back.sum(), bool)]
    )
    three_years_before = world.start_ms - 3 * _YEAR_MS
    terminated = ~active
    edges = _old(at)
    edges |= np.where(terminated & (at < three_years_before), flag("account_terminated_over_3y"), 0)
    recent = terminated & (at >= three_years_before) & (at < world.start_ms)
    edges |= np.where(recent, flag("account_terminated_recent"), 0)
    edges |= np.where(terminated & (at >= world.start_ms), flag("account_terminated_in_range"), 0)
    edges[users + ended.sum() :] |= flag("account_reopened")
    line = json_objects(
        [
            ("user_id", gather(world.population.user_ids, user)),
            ("ts", timestamps(at, millis=False)),
            ("status", gather(fragments(["terminated", "active"]), active.astype(np.int64))),
        ]
    )
    return _frame(at, line, edges)


def consent_lines(rng: np.random.Generator, world: World) -> pl.DataFrame:
    """Sign-up choices, geolocation grants, cookie-banner opt-outs and changes in the range.

    Every scope changes at least once in the range, for every kind of subject, and some
    opt-outs are granted again later, so the latest change per subject and scope matters.
    """
    profile, population = world.profile, world.population
    lifecycle, users = population.lifecycle, population.n_users
    start, end = world.start_ms, world.end_ms
    history = start - profile.history_years * _YEAR_MS
    scope = CONSENT_SCOPES.index
    # Columns: account holder or -1, subject whose cookie is recorded or -1, ts, scope, granted.
    records: list[tuple[np.ndarray, ...]] = []

    def add(
        user: np.ndarray | int,
        cookie: np.ndarray | int,
        at: np.ndarray,
        scopes: np.ndarray | int,
        granted: np.ndarray | int,
    ) -> None:
        count = len(at)
        records.append(
            tuple(
                np.broadcast_to(np.asarray(v), (count,)).astype(np.int64)
                for v in (user, cookie, at, scopes, granted)
            )
        )

    holders = np.arange(users)
    refused = holders[rng.random(users) < profile.marketing_opt_out_share]
    with_cookie = rng.random(len(refused)) < profile.opt_out_with_cookie_share
    at = lifecycle.opened[refused] + rng.integers(5_000, 10 * MS_PER_MINUTE, len(refused))
    add(refused, np.where(with_cookie, refused, -1), at, scope("marketing"), 0)

    granting = np.flatnonzero(population.geo_granted)
    account = granting < users
    opened = lifecycle.opened[np.minimum(granting, users - 1)]
    window = np.minimum(30 * MS_PER_DAY, end - opened)  # the app asks soon after sign-up
    at = np.where(
        account,
        opened + (rng.uniform(0.05, 0.95, len(granting)) * window).astype(np.int64),
        rng.integers(start - 2 * _YEAR_MS, start, len(granting)),
    )
    add(
        np.where(account, granting, -1),
        np.where(account, -1, granting),
        at,
        scope("geolocation"),
        1,
    )

    visitors = users + np.flatnonzero(
        rng.random(population.size - users) < profile.banner_opt_out_share
    )
    banner = np.array([scope(name) for name in profile.banner_scope_shares])
    weights = np.array(list(profile.banner_scope_shares.values()))
    picked = rng.choice(len(banner), len(visitors), p=weights / weights.sum())
    add(-1, visitors, rng.integers(history, end, len(visitors)), banner[picked], 0)

    days = (end - start) / MS_PER_DAY
    subjects = profile.consent_subject_shares
    count = max(len(subjects), len(CONSENT_SCOPES))
    count = max(count, rng.poisson(profile.consent_changes_per_day * population.size * days))
    shares = np.array(list(profile.consent_scope_shares.values()))
    scopes = np.concatenate(
        [
            rng.permutation(len(CONSENT_SCOPES)),
            rng.choice(len(CONSENT_SCOPES), count, p=shares / shares.sum()),
        ]
    )[:count]
    weights = np.array(list(subjects.values()))
    kinds = np.concatenate(
        [
            np.arange(len(subjects)),
            rng.choice(len(weights), count, p=weights / weights.sum()),
        ]
    )[:count]
    at = rng.integers(start, end, count)
    activity = population.activity[:users]  # people who use the site change their settings
    holder = rng.choice(users, size=count, p=activity / activity.sum())
    visitor = users + rng.integers(0, population.size - users, count)
    names = list(subjects)
    user = np.where(
        np.isin(kinds, [names.index("user"), names.index("user_and_cookie")]), holder, -1
    )
    cookie = np.select(
        [
            kinds == names.index("user_and_cookie"),
            kinds == names.index("user_cookie"),
            kinds == names.index("visitor"),
        ],
        [holder, holder, visitor],
        -1,
    )
    granted = (rng.random(count) < profile.consent_grant_share).astype(np.int64)
    granted[: len(CONSENT_SCOPES)] = 0  # an opt-out of every scope, for every kind of subject
    add(user, cookie, at, scopes, granted)
    regrant = rng.random(count) < profile.regrant_share
    regrant[0] = True
    again = np.flatnonzero((granted == 0) & regrant)
    delay = (
        rng.uniform(0.05, 0.95, len(again)) * np.minimum(10 * MS_PER_DAY, end - at[again])
    ).astype(np.int64)
    first_regrant = sum(len(r[0]) for r in records)
    add(user[again], cookie[again], at[again] + np.maximum(delay, 1), scopes[again], 1)

    user, cookie, at, scopes, granted = (
        np.concatenate(column) for column in zip(*records, strict=True)
    )
    edges = _old(at) | np.where(granted == 0, flag("consent_opt_out"), 0)
    edges |= np.where(user < 0, flag("consent_anonymous_only"), 0)
    edges[first_regrant:] |= flag("consent_regrant")
    line = json_objects(
        [
            ("user_id", gather(population.user_ids, user)),
            ("anonymous_id", gather(quoted(population.anonymous_ids), cookie)),
            ("ts", timestamps(at, millis=False)),
            ("scope", gather(fragments(CONSENT_SCOPES), scopes)),
            ("granted", gather(fragments([False, True]), granted)),
        ]
    )
    return _frame(at, line, edges)


def erasure_lines(world: World) -> pl.DataFrame:
    """A request per asking user; a second line with settled_at once obligations are settled."""
    lifecycle = world.population.lifecycle
    asking = np.flatnonzero(lifecycle.erasure_kind >= 0)
    asking = asking[np.argsort(lifecycle.erasure_requested[asking], kind="stable")]
    kind = lifecycle.erasure_kind[asking]
    requested = lifecycle.erasure_requested[asking]
    settled = lifecycle.erasure_settled[asking]
    paid = np.flatnonzero(settled < NEVER)
    row = np.concatenate([np.arange(len(asking)), paid])
    is_settlement = np.arange(len(row)) >= len(asking)
    at = np.where(is_settlement, settled[row], requested[row])
    free = kind[row] == ERASURE_KINDS.index("free")
    edges = np.where(
        is_settlement,
        flag("erasure_settled"),
        np.where(free, flag("erasure_free"), flag("erasure_outstanding")),
    )
    edges |= flag("utc_z")
    request_ids = pl.Series([f'"er_{n:06d}"' for n in range(1, len(asking) + 1)], dtype=pl.String)
    settled_at = timestamps(np.where(is_settlement, at, 0), utc=True, millis=False)
    line = json_objects(
        [
            ("request_id", request_ids.gather(row)),
            ("user_id", gather(world.population.user_ids, asking[row])),
            ("requested_at", timestamps(requested[row], utc=True, millis=False)),
            ("outstanding_obligations", gather(fragments([False, True]), (~free).astype(np.int64))),
            (
                "settled_at",
                pl.select(pl.when(pl.lit(is_settlement)).then(pl.lit(settled_at))).to_series(),
            ),
        ]
    )
    return _frame(at, line, edges.astype(np.int64))
