with

source as (

    select * from {{ source('ingested', 'corrections') }}

),

renamed as (

    select
        feed,
        delivery_day,
        column_name,
        stage,
        records

    from source

)

select * from renamed
