-- Every formal deletion request (policy 4.2): whether it is done or deferred until the user's
-- obligations are settled, and how old it is. The request's user is left out.

select
    request_id,
    requested_at,
    cast(timezone('Asia/Almaty', requested_at) as date) as requested_date,
    state,
    state_reason,
    settled_at,
    date_diff('day', cast(timezone('Asia/Almaty', requested_at) as date), {{ as_of_date() }})
        as age_days
from {{ ref('stg_erasure_requests') }}
