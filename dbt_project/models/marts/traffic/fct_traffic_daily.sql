-- Visitors, sessions and page views per Almaty day and audience; small audiences are folded.

with days as (
    {{ rebuilt_days() }}
),

sessions as (
    select
        session_date as activity_date,
        app,
        device_class,
        coalesce(browser_family, 'unknown') as browser_family,
        coalesce(locale, 'unknown') as locale,
        channel,
        anonymous_pseudonym,
        page_views,
        activities,
        is_bot
    from {{ ref('int_sessions') }}
    where {{ day_in_rebuilt_span('session_date') }}
      and session_date in (select day from days)
),

folded as (
    {{ fold_small_groups(
        'sessions', 'activity_date',
        fold=['browser_family', 'locale', 'channel'],
        keep=['app', 'device_class'],
        subject='anonymous_pseudonym',
    ) }}
)

select
    activity_date,
    app,
    device_class,
    browser_family,
    locale,
    channel,
    count(distinct anonymous_pseudonym) as visitors,
    count(*) as sessions,
    cast(sum(page_views) as bigint) as page_views,
    avg(case when activities = 1 then 1.0 else 0.0 end) as bounce_rate,
    avg(case when is_bot then 1.0 else 0.0 end) as bot_share
from folded
group by all
having {{ enough_subjects('anonymous_pseudonym') }}
