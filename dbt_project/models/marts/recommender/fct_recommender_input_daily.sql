select
    last_active_date,
    count(distinct subject_pseudonym) as subjects,
    count(*) as pairs
from {{ ref('fct_user_listing_interactions') }}
group by all
