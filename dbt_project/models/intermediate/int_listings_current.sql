-- Each listing as it is now: its latest version in the catalog.

with versions as (
    select * from {{ ref('stg_listing_versions') }}
)

select
    listing_id,
    category,
    coalesce(district, 'unknown') as district,
    price_kzt,
    owner_pseudonym,
    posted_at,
    expires_at,
    deleted_at,
    promoted_until,
    is_retired,
    updated_at
from versions
qualify row_number() over (partition by listing_id order by updated_at desc) = 1
