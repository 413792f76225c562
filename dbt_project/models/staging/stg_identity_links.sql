with

source as (

    select * from {{ source('ingested', 'identity_links') }}

),

renamed as (

    select
        delivery_day,
        anonymous_pseudonym,
        user_pseudonym

    from source

)

select * from renamed
