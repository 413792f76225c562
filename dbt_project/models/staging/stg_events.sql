with

source as (

    select * from {{ source('ingested', 'events') }}

),

renamed as (

    select
        ---------- ids
        event_id,
        listing_id,
        search_id,

        ---------- what happened
        event_type,
        page_url,
        referrer,
        amount_kzt,

        {{ usage_columns() }}

    from source

)

select * from renamed
