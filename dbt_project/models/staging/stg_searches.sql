with

source as (

    select * from {{ source('ingested', 'searches') }}

),

renamed as (

    select
        ---------- ids
        search_id,

        ---------- subjects (pseudonyms)
        user_pseudonym,
        anonymous_pseudonym,
        device_pseudonym,

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

        ---------- client
        ip_network,
        ip_token,
        browser_family,
        browser_major,
        os_family,
        device_class,
        is_bot,
        app,
        locale,
        geo_lat,
        geo_lon,

        ---------- consent
        gpc,
        personalization_allowed,
        marketing_allowed,

        ---------- timestamps
        delivery_day,
        occurred_at,
        timezone('Asia/Almaty', occurred_at) as occurred_at_local,
        cast(timezone('Asia/Almaty', occurred_at) as date) as activity_date,

        ---------- lineage
        key_version

    from source

)

select * from renamed
