with

source as (

    select * from {{ source('ingested', 'privacy_audit') }}

),

renamed as (

    select
        purge_id,
        purged_at,
        rule,
        request_id,
        table_name,
        change,
        rows

    from source

)

select * from renamed
