-- The purge's audit log for the compliance officer: when each purge ran, under which rule or
-- erasure request, and how many rows of which table it removed or changed. It names tables
-- and requests, never a subject.

select
    purge_id,
    purged_at,
    cast(timezone('Asia/Almaty', purged_at) as date) as purged_date,
    rule,
    request_id,
    table_name,
    change,
    rows
from {{ ref('stg_privacy_audit') }}
