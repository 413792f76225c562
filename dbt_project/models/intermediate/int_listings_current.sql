-- Each listing as it is now: its latest version in the catalog.

with versions as (
    select * from {{ ref('stg_listing_versions') }}
)

select
    * exclude (title, lat, lon) replace (coalesce(district, 'unknown') as district)
from versions
qualify row_number() over (partition by listing_id order by updated_at desc) = 1
