-- What ingestion did not store, per delivery day, feed and reason: records dropped by a
-- privacy or de-duplication rule, and lines quarantined as unreadable or off-contract.

with dropped as (
    select delivery_day, feed, 'dropped' as outcome, reason, records
    from {{ ref('stg_ingestion_drops') }}
),

quarantined as (
    select delivery_day, feed, 'quarantined' as outcome, reason, count(*) as records
    from {{ ref('stg_quarantine') }}
    group by all
)

select delivery_day, feed, outcome, reason, cast(sum(records) as bigint) as records
from (
    select * from dropped
    union all
    select * from quarantined
)
group by all
