with

source as (

    select * from {{ source('ingested', 'consent_changes') }}

),

renamed as (

    select
        subject_pseudonym,
        subject_kind,
        changed_at,
        scope,
        granted

    from source

)

select * from renamed
