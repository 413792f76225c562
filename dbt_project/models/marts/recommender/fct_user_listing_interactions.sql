-- How strongly each subject is drawn to each listing, for "recommended for you": actions
-- weighted by type and halved every interaction_half_life_days. Only subjects whose
-- personalization consent is in force now (and was when they acted) are here; no bots, and
-- no subject whose browser ever sent Global Privacy Control. Only listings of the catalog.

{% set weights = var('interaction_weights') %}

{% set changes %}
    (select subject_pseudonym as subject, changed_at as ts, scope, granted
     from {{ ref('stg_consent_changes') }})
{% endset %}

with intervals as (
    {{ consent_intervals(changes) }}
),

refusals as (
    -- Subjects whose personalization choice in force (directly or through "all") is a
    -- refusal: ingestion's own rule (privacy/consent.py).
    select subject as subject_pseudonym from ({{ refused_personalization_now('intervals') }})
),

refusing_users as (
    -- A user refuses when the user or any visitor id seen logged in as the user refuses.
    select subject_pseudonym as user_pseudonym from refusals
    union
    select l.user_pseudonym
    from {{ ref('stg_identity_links') }} as l
    inner join refusals as r on r.subject_pseudonym = l.anonymous_pseudonym
),

sent_gpc as (
    select distinct coalesce(user_pseudonym, anonymous_pseudonym) as subject_pseudonym
    from {{ ref('stg_events') }}
    where gpc
),

events as (
    select
        coalesce(user_pseudonym, anonymous_pseudonym) as subject_pseudonym,
        case when user_pseudonym is null then 'anonymous' else 'user' end as subject_kind,
        listing_id,
        event_type,
        occurred_at
    from {{ ref('stg_events') }}
    where personalization_allowed
      and not is_bot
      and listing_id is not null
      -- a listing the catalog lacks can be neither recommended nor shown
      and listing_id in (select listing_id from {{ ref('int_listings_current') }})
      and event_type in ({% for event_type in weights %}'{{ event_type }}'{{ "," if not loop.last }}{% endfor %})
      and anonymous_pseudonym not in (select subject_pseudonym from refusals)
      and (user_pseudonym is null or user_pseudonym not in (select user_pseudonym from refusing_users))
      and coalesce(user_pseudonym, anonymous_pseudonym) not in (select subject_pseudonym from sent_gpc)
),

weighted as (
    select
        *,
        case event_type
            {%- for event_type, weight in weights.items() %}
            when '{{ event_type }}' then {{ weight }}
            {%- endfor %}
        end as weight,
        greatest(
            date_diff('day', {{ almaty_day('occurred_at') }}, {{ as_of_date() }}),
            0
        ) as age_days
    from events
)

select
    subject_pseudonym,
    subject_kind,
    listing_id,
    sum(weight * pow(0.5, age_days / {{ var('interaction_half_life_days') }})) as strength,
    count(*) as interactions,
    max(occurred_at) as last_interaction_at,
    {{ almaty_day('max(occurred_at)') }} as last_active_date,
    bool_or(event_type = 'booking') as booked
from weighted
group by subject_pseudonym, subject_kind, listing_id
