with

source as (

    select * from {{ source('ingested', 'erasure_requests') }}

),

renamed as (

    select
        request_id,
        user_digest,
        requested_at,
        outstanding_obligations,
        settled_at,
        state,
        state_reason

    from source

)

select * from renamed
