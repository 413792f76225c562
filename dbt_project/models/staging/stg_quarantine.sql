with

source as (

    select * from {{ source('ingested', 'quarantine') }}

),

renamed as (

    select
        feed,
        delivery_day,
        source,
        line_number,
        reason

    from source

)

select * from renamed
