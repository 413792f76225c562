-- One row per session: where it came from, on what, how long, and what it led to.

with visitor_days as (
    select anonymous_pseudonym, activity_date as session_date
    from ({{ rebuilt_visitor_days() }})
),

activity as (
    select *
    from {{ ref('int_activity_sessionized') }}
    inner join visitor_days using (anonymous_pseudonym, session_date)
    where {{ day_in_rebuilt_span('session_date') }}
),

sessions as (
    select
        session_id,
        any_value(session_date) as session_date,
        any_value(anonymous_pseudonym) as anonymous_pseudonym,
        max(user_pseudonym) as user_pseudonym,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        arg_min(page_url, (occurred_at, activity_id)) filter (where page_url is not null) as entry_url,
        arg_min_null(referrer, (occurred_at, activity_id)) filter (where page_url is not null) as entry_referrer,
        arg_min(app, (occurred_at, activity_id)) as app,
        arg_min(device_class, (occurred_at, activity_id)) as device_class,
        arg_min(browser_family, (occurred_at, activity_id)) as browser_family,
        arg_min_null(locale, (occurred_at, activity_id)) as locale,
        bool_or(is_bot) as is_bot,
        count(*) filter (where action in ('page_view', 'listing_view')) as page_views,
        count(*) as activities,
        bool_or(action = 'search') as led_to_search,
        bool_or(action in ('contact_request', 'rental_request')) as led_to_request,
        bool_or(action = 'booking') as led_to_booking
    from activity
    group by session_id
)

select
    session_id,
    session_date,
    anonymous_pseudonym,
    user_pseudonym,
    started_at,
    ended_at,
    cast(date_diff('millisecond', started_at, ended_at) / 1000.0 as double) as duration_seconds,
    {{ url_path('entry_url') }} as entry_page,
    {{ channel_of('entry_url', 'entry_referrer') }} as channel,
    app,
    device_class,
    browser_family,
    locale,
    is_bot,
    page_views,
    activities,
    led_to_search,
    led_to_request,
    led_to_booking
from sessions
