-- What ingestion did not store, per delivery day, feed and reason: records dropped by a
-- privacy or de-duplication rule, and lines quarantined as unreadable or off-contract; the
-- stored records a value of which was replaced because it lay outside its column's privacy
-- class (the reason is the column); and the stored events that name a listing the catalog
-- lacks (not, or not yet, delivered), which the marts keep as 'unknown' and the recommender
-- input leaves out.

with dropped as (
    select delivery_day, feed, 'dropped' as outcome, reason, records
    from {{ ref('stg_ingestion_drops') }}
),

quarantined as (
    select delivery_day, feed, 'quarantined' as outcome, reason, count(*) as records
    from {{ ref('stg_quarantine') }}
    group by all
),

corrected as (
    select
        delivery_day,
        feed,
        case stage when 'guard' then 'corrected_by_guard' else 'corrected' end as outcome,
        column_name as reason,
        records
    from {{ ref('stg_corrections') }}
),

unknown_listing as (
    select
        delivery_day,
        'events' as feed,
        'kept' as outcome,
        'listing_not_in_catalog' as reason,
        count(*) as records
    from {{ ref('stg_events') }}
    where listing_id is not null
      and listing_id not in (select listing_id from {{ ref('int_listings_current') }})
    group by all
)

select delivery_day, feed, outcome, reason, cast(sum(records) as bigint) as records
from (
    select * from dropped
    union all
    select * from quarantined
    union all
    select * from corrected
    union all
    select * from unknown_listing
)
group by all
