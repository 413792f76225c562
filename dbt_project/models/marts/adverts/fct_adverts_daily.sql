-- Impressions and clicks of each advert per Almaty day. Bots are left out; adverts seen by
-- too few people are folded into 'other'.

with days as (
    {{ rebuilt_days() }}
),

events as (
    select activity_date, listing_id as advert_id, event_type, anonymous_pseudonym
    from {{ ref('stg_events') }}
    where {{ moment_in_rebuilt_span('occurred_at') }}
      and activity_date in (select day from days)
      and event_type in ('ad_impression', 'ad_click')
      and listing_id is not null
      and not is_bot
),

folded as (
    {{ fold_small_groups(
        'events', 'activity_date', fold=['advert_id'], keep=[], subject='anonymous_pseudonym'
    ) }}
),

counted as (
    select
        activity_date,
        advert_id,
        count(distinct anonymous_pseudonym) as viewers,
        count(*) filter (where event_type = 'ad_impression') as impressions,
        count(*) filter (where event_type = 'ad_click') as clicks
    from folded
    group by all
    having {{ enough_subjects('anonymous_pseudonym') }}
)

select
    *,
    case when impressions > 0 then clicks / impressions end as click_through_rate
from counted
