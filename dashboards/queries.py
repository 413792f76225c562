"""Every query the dashboards run on the published copy of the marts, in one place.

Values always travel as bound parameters (`$name`), never formatted into the SQL. Results are
cached for CACHE_SECONDS per published copy: a new copy changes the cache key, so the pages
show it on their next run without waiting for the cache to expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from almaty.errors import AlmatyError
from privacy.days import almaty_day_sql
from serving.published_copy import ServingCopyReader

CACHE_SECONDS = 600


class NoData(AlmatyError):
    """Nothing to show yet: no published copy, or a mart without rows."""


@dataclass(frozen=True)
class Source:
    """The published copy the pages read; cached results are keyed by its current version."""

    reader: ServingCopyReader

    def cache_key(self) -> tuple[str, Any]:
        return str(self.reader.path), self.reader.version()


cached = st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, hash_funcs={Source: Source.cache_key})


def run_query(source: Source, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The result of `sql` with bound `params`; NoData when the copy or a mart is missing."""
    try:
        con = source.reader.connection()
    except AlmatyError as error:  # nothing published yet
        raise NoData(str(error)) from None
    try:
        return con.execute(sql, params or {}).df()
    except duckdb.CatalogException as error:
        raise NoData(f"{source.reader.path}: a mart is missing ({error})") from None
    finally:
        con.close()


def _window(first: date, last: date, **filters: Any) -> dict[str, Any]:
    return {"first": first, "last": last, **filters}


# --- what is there ---------------------------------------------------------------------------

DAY_BOUNDS = {
    "traffic": "select min(activity_date), max(activity_date) from marts.fct_traffic_daily",
    "searches": "select min(search_date), max(search_date) from marts.fct_searches_daily",
    "listings": "select min(activity_date), max(activity_date) from marts.fct_listings_daily",
    "adverts": "select min(activity_date), max(activity_date) from marts.fct_adverts_daily",
    "consent": "select min(consent_date), max(consent_date) from marts.fct_consent_daily",
    "outcomes": "select min(delivery_day), max(delivery_day) "
    "from marts.fct_ingestion_outcomes_daily",
    "erasure": "select min(requested_date), max(requested_date) from marts.fct_erasure_requests",
    "interactions": "select min(last_active_date), max(last_active_date) "
    "from marts.fct_recommender_input_daily",
}


@cached
def day_bounds(source: Source, mart: str) -> tuple[date, date]:
    """The first and last Almaty day `mart` has rows for; NoData when it has none."""
    first, last = run_query(source, DAY_BOUNDS[mart]).iloc[0]
    if pd.isna(first):
        raise NoData(f"{source.reader.path}: no {mart} figures yet")
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


@cached
def publication(source: Source) -> pd.Series:
    """When the copy was published and the newest delivery day in it."""
    return run_query(
        source, "select published_at, newest_delivery_day from marts.publication"
    ).iloc[0]


@cached
def distinct_values(source: Source, mart: str) -> list[str]:
    """The values a filter offers, from the column DISTINCT_VALUES names."""
    return run_query(source, DISTINCT_VALUES[mart])["value"].tolist()


DISTINCT_VALUES = {
    "app": "select distinct app as value from marts.fct_traffic_daily order by 1",
    "device_class": "select distinct device_class as value from marts.fct_traffic_daily order by 1",
    "query_language": "select distinct query_language as value from marts.fct_searches_daily "
    "order by 1",
    "category": "select distinct category as value from marts.fct_listings_daily order by 1",
    "district": "select distinct district as value from marts.fct_listings_daily order by 1",
    "scope": "select distinct scope as value from marts.fct_consent_daily order by 1",
}


# --- overview --------------------------------------------------------------------------------

TRAFFIC_FILTER = """
    from marts.fct_traffic_daily
    where activity_date between $first and $last
      and list_contains($apps, app) and list_contains($devices, device_class)
"""


@cached
def overview_totals(
    source: Source, first: date, last: date, apps: list[str], devices: list[str]
) -> pd.Series:
    """Visitors, sessions and page views (traffic filters), searches, bookings and revenue."""
    return run_query(
        source,
        f"""
        select
            (select coalesce(sum(visitors), 0) {TRAFFIC_FILTER}) as visitors,
            (select coalesce(sum(sessions), 0) {TRAFFIC_FILTER}) as sessions,
            (select coalesce(sum(page_views), 0) {TRAFFIC_FILTER}) as page_views,
            (select coalesce(sum(searches), 0) from marts.fct_searches_daily
             where search_date between $first and $last) as searches,
            (select coalesce(sum(bookings), 0) from marts.fct_listings_daily
             where activity_date between $first and $last) as bookings,
            (select coalesce(sum(revenue_kzt), 0) from marts.fct_listings_daily
             where activity_date between $first and $last) as revenue_kzt
        """,
        _window(first, last, apps=apps, devices=devices),
    ).iloc[0]


@cached
def traffic_by_day(
    source: Source, first: date, last: date, apps: list[str], devices: list[str]
) -> pd.DataFrame:
    return run_query(
        source,
        f"""
        select activity_date as day, sum(visitors) as visitors, sum(sessions) as sessions,
               sum(page_views) as page_views
        {TRAFFIC_FILTER}
        group by all order by day
        """,
        _window(first, last, apps=apps, devices=devices),
    )


TRAFFIC_SPLIT_FIGURES = (
    "sum(visitors) as visitors, sum(sessions) as sessions, sum(page_views) as page_views, "
    "sum(bounce_rate * sessions) / sum(sessions) as bounce_rate, "
    "sum(bot_share * sessions) / sum(sessions) as bot_share"
)
TRAFFIC_SPLITS = {
    "app": f"select app as value, {TRAFFIC_SPLIT_FIGURES} {TRAFFIC_FILTER} group by all",
    "device_class": f"select device_class as value, {TRAFFIC_SPLIT_FIGURES} {TRAFFIC_FILTER} "
    "group by all",
}


@cached
def traffic_split(
    source: Source, by: str, first: date, last: date, apps: list[str], devices: list[str]
) -> pd.DataFrame:
    """Traffic per app or per device class (`by`), busiest first."""
    frame = run_query(
        source,
        TRAFFIC_SPLITS[by] + " order by sessions desc",
        _window(first, last, apps=apps, devices=devices),
    )
    return frame.rename(columns={"value": by})


# --- search ----------------------------------------------------------------------------------

SEARCH_FILTER = """
    from marts.fct_searches_daily
    where search_date between $first and $last and list_contains($languages, query_language)
"""


@cached
def searches_by_query(
    source: Source, first: date, last: date, languages: list[str]
) -> pd.DataFrame:
    """Per query and language: searches, people, and each rate weighted by searches."""
    return run_query(
        source,
        f"""
        select query, query_language as language, sum(searches) as searches,
               sum(searchers) as searchers,
               round(sum(zero_result_rate * searches)) as zero_result_searches,
               sum(zero_result_rate * searches) / sum(searches) as zero_result_rate,
               sum(click_through_rate * searches) / sum(searches) as click_through_rate,
               sum(request_rate * searches) / sum(searches) as request_rate,
               sum(booking_rate * searches) / sum(searches) as booking_rate
        {SEARCH_FILTER}
        group by all order by searches desc, query
        """,
        _window(first, last, languages=languages),
    )


@cached
def searches_by_day(source: Source, first: date, last: date, languages: list[str]) -> pd.DataFrame:
    return run_query(
        source,
        f"""
        select search_date as day, sum(searches) as searches,
               sum(zero_result_rate * searches) / sum(searches) as zero_result_rate,
               sum(click_through_rate * searches) / sum(searches) as click_through_rate
        {SEARCH_FILTER}
        group by all order by day
        """,
        _window(first, last, languages=languages),
    )


@cached
def searches_by_language(
    source: Source, first: date, last: date, languages: list[str]
) -> pd.DataFrame:
    return run_query(
        source,
        f"""
        select query_language as language, sum(searches) as searches,
               sum(zero_result_rate * searches) / sum(searches) as zero_result_rate
        {SEARCH_FILTER}
        group by all order by searches desc
        """,
        _window(first, last, languages=languages),
    )


# --- listings --------------------------------------------------------------------------------

LISTINGS_FILTER = """
    from marts.fct_listings_daily
    where activity_date between $first and $last
      and list_contains($categories, category) and list_contains($districts, district)
      and list_contains($promoted, is_promoted)
"""
FUNNEL_SUMS = (
    "sum(views) as views, sum(search_clicks) as search_clicks, sum(favorites) as favorites, "
    "sum(contact_requests) + sum(rental_requests) as requests, sum(bookings) as bookings, "
    "sum(revenue_kzt) as revenue_kzt, sum(promotion_revenue_kzt) as promotion_revenue_kzt"
)
LISTINGS_BY = {
    "category": f"select category as value, {FUNNEL_SUMS} {LISTINGS_FILTER} group by all",
    "district": f"select district as value, {FUNNEL_SUMS} {LISTINGS_FILTER} group by all",
    "listing_id": f"select listing_id as value, any_value(category) as category, "
    f"{FUNNEL_SUMS} {LISTINGS_FILTER} group by listing_id",
    "is_promoted": f"select is_promoted as value, count(*) filter (where listing_id <> 'other') "
    f"as listing_days, {FUNNEL_SUMS} {LISTINGS_FILTER} group by all",
}


def _listing_filters(
    first: date, last: date, categories: list[str], districts: list[str], promoted: list[bool]
) -> dict[str, Any]:
    return _window(first, last, categories=categories, districts=districts, promoted=promoted)


@cached
def listings_by(
    source: Source,
    by: str,
    first: date,
    last: date,
    categories: list[str],
    districts: list[str],
    promoted: list[bool],
) -> pd.DataFrame:
    """The funnel's counts and revenue per `by` (category, district, listing_id, is_promoted)."""
    frame = run_query(
        source,
        LISTINGS_BY[by] + " order by views desc",
        _listing_filters(first, last, categories, districts, promoted),
    )
    return frame.rename(columns={"value": by})


@cached
def listings_funnel(
    source: Source,
    first: date,
    last: date,
    categories: list[str],
    districts: list[str],
    promoted: list[bool],
) -> pd.Series:
    return run_query(
        source,
        f"select {FUNNEL_SUMS} {LISTINGS_FILTER}",
        _listing_filters(first, last, categories, districts, promoted),
    ).iloc[0]


# --- adverts ---------------------------------------------------------------------------------

ADVERTS_FILTER = "from marts.fct_adverts_daily where activity_date between $first and $last"


@cached
def adverts_by(source: Source, by: str, first: date, last: date) -> pd.DataFrame:
    """Impressions, clicks and click-through per day or per advert (`by`)."""
    return run_query(source, ADVERTS_BY[by], _window(first, last))


ADVERTS_FIGURES = (
    "sum(impressions) as impressions, sum(clicks) as clicks, "
    "sum(clicks) / nullif(sum(impressions), 0) as click_through_rate"
)
ADVERTS_BY = {
    "day": f"select activity_date as day, {ADVERTS_FIGURES} {ADVERTS_FILTER} "
    "group by all order by day",
    "advert_id": f"select advert_id, sum(viewers) as viewers, {ADVERTS_FIGURES} "
    f"{ADVERTS_FILTER} group by all order by impressions desc, advert_id",
    "total": f"select {ADVERTS_FIGURES} {ADVERTS_FILTER}",
}


# --- recommendations -------------------------------------------------------------------------


@cached
def recommender_input_by_day(source: Source, first: date, last: date) -> pd.DataFrame:
    """Subjects and user-listing pairs of the recommender's input by their last active day."""
    return run_query(
        source,
        """
        select last_active_date as day, subjects, pairs
        from marts.fct_recommender_input_daily
        where last_active_date between $first and $last
        order by day
        """,
        _window(first, last),
    )


@cached
def export_catalog_coverage(source: Source, users_file: Path) -> pd.Series:
    """Listings recommended to anyone in an export, against the listings available now."""
    return run_query(
        source,
        """
        select (select count(distinct listing_id) from read_parquet($file)) as recommended,
               (select count(*) from marts.dim_listings where is_available) as available
        """,
        {"file": str(users_file)},
    ).iloc[0]


# --- privacy and compliance ------------------------------------------------------------------


@cached
def consent_by_day(source: Source, first: date, last: date, scopes: list[str]) -> pd.DataFrame:
    return run_query(
        source,
        """
        select consent_date as day, scope, subjects_granted, subjects_opted_out, grants, opt_outs
        from marts.fct_consent_daily
        where consent_date between $first and $last and list_contains($scopes, scope)
        order by day, scope
        """,
        _window(first, last, scopes=scopes),
    )


@cached
def ingestion_outcomes(source: Source, first: date, last: date) -> pd.DataFrame:
    """Records dropped and lines quarantined per outcome, feed and reason.

    Feeds not delivered by day (consent, accounts, ...) have no delivery day and always count.
    """
    return run_query(
        source,
        """
        select outcome, feed, reason, sum(records) as records
        from marts.fct_ingestion_outcomes_daily
        where delivery_day between $first and $last or delivery_day is null
        group by all order by outcome, records desc, feed, reason
        """,
        _window(first, last),
    )


@cached
def quarantine_by_day(source: Source, first: date, last: date) -> pd.DataFrame:
    return run_query(
        source,
        """
        select delivery_day as day, reason, sum(records) as lines
        from marts.fct_ingestion_outcomes_daily
        where outcome = 'quarantined' and delivery_day between $first and $last
        group by all order by day, reason
        """,
        _window(first, last),
    )


@cached
def erasure_requests(source: Source, first: date, last: date) -> pd.DataFrame:
    """Requests made in the range per state and age band."""
    return run_query(
        source,
        """
        select state,
               case when age_days < 30 then 'under 30 days'
                    when age_days < 90 then '30 to 89 days'
                    when age_days < 365 then '90 to 364 days'
                    else '365 days or more' end as age,
               min(age_days) as band_start, count(*) as requests
        from marts.fct_erasure_requests
        where requested_date between $first and $last
        group by all order by state, band_start
        """,
        _window(first, last),
    )[["state", "age", "requests"]]


@cached
def erasure_request_states(source: Source, first: date, last: date) -> pd.DataFrame:
    """Each request made in the range and where it stands: what the compliance officer answers
    for. Request ids are the website's sequence numbers, not personal data."""
    return run_query(
        source,
        f"""
        select request_id, requested_date as received, state, state_reason as why,
               {almaty_day_sql("settled_at")} as settled,
               {almaty_day_sql("erased_at")} as erased, age_days
        from marts.fct_erasure_requests
        where requested_date between $first and $last
        order by requested_date, request_id
        """,
        _window(first, last),
    )


@cached
def purge_audit(source: Source, purges: int) -> pd.DataFrame:
    """The rows of the newest `purges` purges: when, under which rule or request, and how many
    rows of which table. Purges run when the pipeline runs, so they are not picked by the
    page's data dates."""
    return run_query(
        source,
        """
        select purged_at, rule, request_id, change, table_name, rows
        from marts.fct_privacy_audit
        where purge_id in (select purge_id from marts.fct_privacy_audit
                           group by purge_id order by max(purged_at) desc limit $purges)
        order by purged_at desc, rule, request_id, table_name
        """,
        {"purges": purges},
    )
