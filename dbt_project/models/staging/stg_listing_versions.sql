with

source as (

    select * from {{ source('ingested', 'listing_versions') }}

),

renamed as (

    select
        listing_id,
        updated_at,
        category,
        title,
        district,
        lat,
        lon,
        price_kzt,
        owner_pseudonym,
        posted_at,
        expires_at,
        deleted_at,
        promoted_until,
        is_retired

    from source

)

select * from renamed
