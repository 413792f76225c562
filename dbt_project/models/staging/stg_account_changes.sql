with

source as (

    select * from {{ source('ingested', 'account_changes') }}

),

renamed as (

    select
        user_pseudonym,
        changed_at,
        status

    from source

)

select * from renamed
