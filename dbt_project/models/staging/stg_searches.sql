with

source as (

    select * from {{ source('ingested', 'searches') }}

),

renamed as (

    select
        ---------- ids
        search_id,

        ---------- search
        query,
        filter_category,
        filter_district,
        filter_check_in,
        filter_check_out,
        filter_guests,
        filter_price_min_kzt,
        filter_price_max_kzt,
        results_count,
        result_listing_ids,

        {{ usage_columns() }}

    from source

)

select * from renamed
