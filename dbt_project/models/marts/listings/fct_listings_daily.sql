-- The funnel of each listing per Almaty day, by category and district, promoted or not (a
-- promotion package in force when the action happened). Bots are left out; listings seen by
-- too few people are folded into 'other' within their category and district. A listing the
-- catalog lacks is kept, as category and district 'unknown'. Refunds (negative amounts) are
-- subtracted from revenue and counted apart from bookings.

with days as (
    {{ rebuilt_days() }}
),

events as (
    select
        activity_date,
        occurred_at,
        event_type,
        listing_id,
        amount_kzt,
        -- a booking or promotion purchase of a negative amount gives money back
        coalesce(amount_kzt < 0, false) as is_refund,
        anonymous_pseudonym
    from {{ ref('stg_events') }}
    where {{ moment_in_rebuilt_span('occurred_at') }}
      and activity_date in (select day from days)
      and listing_id is not null
      and not is_bot
      and event_type in (
          'listing_view', 'search_result_click', 'favorite', 'contact_request',
          'rental_request', 'booking', 'promotion_purchase'
      )
),

versions as (
    select listing_id, updated_at, promoted_until
    from {{ ref('stg_listing_versions') }}
),

described as (
    select
        e.*,
        coalesce(l.category, 'unknown') as category,
        coalesce(l.district, 'unknown') as district,
        coalesce(v.promoted_until > e.occurred_at, false) as is_promoted
    from events as e
    left join {{ ref('int_listings_current') }} as l on l.listing_id = e.listing_id
    asof left join versions as v
        on v.listing_id = e.listing_id and e.occurred_at >= v.updated_at
),

folded as (
    {{ fold_small_groups(
        'described', 'activity_date',
        fold=['listing_id'],
        keep=['category', 'district', 'is_promoted'],
        subject='anonymous_pseudonym',
    ) }}
),

counted as (
    select
        activity_date,
        listing_id,
        category,
        district,
        is_promoted,
        count(distinct anonymous_pseudonym) as visitors,
        count(*) filter (where event_type = 'listing_view') as views,
        count(*) filter (where event_type = 'search_result_click') as search_clicks,
        count(*) filter (where event_type = 'favorite') as favorites,
        count(*) filter (where event_type = 'contact_request') as contact_requests,
        count(*) filter (where event_type = 'rental_request') as rental_requests,
        count(*) filter (where event_type = 'booking' and not is_refund) as bookings,
        count(*) filter (where event_type = 'booking' and is_refund) as refunds,
        -- net of refunds: a day's revenue can be negative
        coalesce(sum(amount_kzt) filter (where event_type = 'booking'), 0) as revenue_kzt,
        coalesce(sum(amount_kzt) filter (where event_type = 'promotion_purchase'), 0)
            as promotion_revenue_kzt,
        count(distinct anonymous_pseudonym) filter (where event_type = 'listing_view')
            as viewers,
        count(distinct anonymous_pseudonym) filter (
            where event_type in ('contact_request', 'rental_request')
        ) as requesters,
        count(distinct anonymous_pseudonym) filter (
            where event_type = 'booking' and not is_refund
        ) as bookers
    from folded
    group by all
    having {{ enough_subjects('anonymous_pseudonym') }}
)

select
    * exclude (viewers, requesters, bookers),
    -- Share of the day's visitors of the listing who went on to each step.
    requesters / visitors as request_rate,
    bookers / visitors as booking_rate
from counted
