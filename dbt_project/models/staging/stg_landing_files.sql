with

source as (

    select * from {{ source('ingested', 'landing_files') }}

),

renamed as (

    select
        feed,
        delivery_day,
        source,
        size_bytes

    from source

)

select * from renamed
