with

source as (

    select * from {{ source('ingested', 'ingestion_drops') }}

),

renamed as (

    select
        feed,
        delivery_day,
        reason,
        records

    from source

)

select * from renamed
