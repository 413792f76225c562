-- Every event and search, in the session it belongs to. A visitor's session ends after
-- 30 minutes without activity, and at midnight in Almaty, so each session lies in one day
-- and a run rebuilds just the visitors and days its deliveries touch.

with visitor_days as (
    {{ rebuilt_visitor_days() }}
),

events as (
    select
        event_id as activity_id,
        'event' as activity_kind,
        event_type as action,
        listing_id,
        search_id,
        amount_kzt,
        page_url,
        referrer,
        {{ activity_attributes() }}
    from {{ ref('stg_events') }}
    inner join visitor_days using (anonymous_pseudonym, activity_date)
    where {{ moment_in_rebuilt_span('occurred_at') }}
),

searches as (
    select
        search_id as activity_id,
        'search' as activity_kind,
        'search' as action,
        cast(null as varchar) as listing_id,
        search_id,
        cast(null as double) as amount_kzt,
        cast(null as varchar) as page_url,
        cast(null as varchar) as referrer,
        {{ activity_attributes() }}
    from {{ ref('stg_searches') }}
    inner join visitor_days using (anonymous_pseudonym, activity_date)
    where {{ moment_in_rebuilt_span('occurred_at') }}
),

activity as (
    select * from events
    union all
    select * from searches
),

gaps as (
    select
        *,
        coalesce(
            occurred_at - lag(occurred_at) over visitor_day > interval 30 minutes, true
        ) as starts_session
    from activity
    window visitor_day as (
        partition by anonymous_pseudonym, activity_date order by occurred_at, activity_id
    )
),

sessioned as (
    -- the moment the latest session start so far happened: one sort serves both windows
    select
        *,
        max(case when starts_session then occurred_at end) over (
            partition by anonymous_pseudonym, activity_date
            order by occurred_at, activity_id
            rows unbounded preceding
        ) as session_started_at
    from gaps
)

select
    md5(anonymous_pseudonym || '/' || strftime(session_started_at, '%Y-%m-%dT%H:%M:%S.%f'))
        as session_id,
    activity_date as session_date,
    activity_id,
    activity_kind,
    action,
    occurred_at,
    occurred_at_local,
    anonymous_pseudonym,
    user_pseudonym,
    listing_id,
    search_id,
    amount_kzt,
    page_url,
    referrer,
    app,
    device_class,
    browser_family,
    locale,
    is_bot
from sessioned
