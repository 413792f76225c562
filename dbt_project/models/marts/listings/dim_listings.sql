-- Every listing as it is now, for readers: what it is, where, and whether it can be shown
-- (not deleted, not past its posting period). Its owner is left out.

select
    listing_id,
    category,
    district,
    price_kzt,
    posted_at,
    expires_at,
    promoted_until,
    not is_retired
        and not {{ listing_retired('deleted_at', 'expires_at', as_of_date()) }}
        as is_available
from {{ ref('int_listings_current') }}
