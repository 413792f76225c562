with

source as (

    select * from {{ source('ingested', 'suppressed_subjects') }}

),

renamed as (

    select
        subject_digest,
        reason,
        since

    from source

)

select * from renamed
