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

        ---------- subjects (pseudonyms)
        user_pseudonym,
        anonymous_pseudonym,
        device_pseudonym,

        ---------- what happened
        event_type,
        page_url,
        referrer,
        amount_kzt,

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
