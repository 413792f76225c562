-- The purge's audit log for the compliance officer: when each purge ran, under which rule or
-- erasure request, and how many rows of which table it removed or changed. It names tables
-- and requests, never a subject.

select
    purge_id,
    purged_at,
    {{ almaty_day('purged_at') }} as purged_date,
    rule,
    request_id,
    table_name,
    change,
    rows
from {{ ref('stg_privacy_audit') }}
