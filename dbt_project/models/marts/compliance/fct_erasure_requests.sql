-- Every formal deletion request (policy 4.2): whether it is done or deferred until the user's
-- obligations are settled, when the purge carried it out, and how old it is. The request's
-- user is left out.

with carried_out as (
    select request_id, min(purged_at) as erased_at
    from {{ ref('stg_privacy_audit') }}
    where rule = 'erasure' and change = 'carried_out'
    group by request_id
)

select
    request_id,
    requested_at,
    {{ almaty_day('requested_at') }} as requested_date,
    state,
    state_reason,
    settled_at,
    carried_out.erased_at,
    date_diff('day', {{ almaty_day('requested_at') }}, {{ as_of_date() }})
        as age_days
from {{ ref('stg_erasure_requests') }}
left join carried_out using (request_id)
