-- Per Almaty day and consent scope: how many subjects with a recorded choice had it granted or
-- refused at the end of the day, and how many changed it that day. Subjects who never chose
-- are not counted: for them the contract's defaults apply. Which choice is in force, "all"
-- included and the refusal winning a tie, is ingestion's own rule (privacy/consent.py).

{% set changes %}
    (select subject_kind || ':' || subject_pseudonym as subject, changed_at as ts, scope, granted
     from {{ ref('stg_consent_changes') }})
{% endset %}

with intervals as (
    select
        *,
        {{ almaty_day('valid_from') }} as change_date
    from ({{ consent_intervals(changes) }})
),

calendar as (
    select
        cast(day as date) as consent_date,
        {{ almaty_midnight('cast(day as date) + 1') }} as day_ends_at
    from range(
        (select min(change_date) from intervals),
        greatest((select max(change_date) from intervals), {{ as_of_date() }}) + 1,
        interval 1 day
    ) as t (day)
),

scopes as (
    select distinct scope from intervals
),

in_force as (
    -- The choice in force at the last instant of the day.
    select
        c.consent_date,
        i.scope,
        count(*) filter (where i.granted) as subjects_granted,
        count(*) filter (where not i.granted) as subjects_opted_out
    from calendar as c
    inner join intervals as i
        on i.valid_from < c.day_ends_at
        and (i.valid_to is null or c.day_ends_at <= i.valid_to)
    group by all
),

changed as (
    select
        change_date as consent_date,
        scope,
        count(*) filter (where granted) as grants,
        count(*) filter (where not granted) as opt_outs
    from intervals
    group by all
)

select
    c.consent_date,
    s.scope,
    coalesce(f.subjects_granted, 0) as subjects_granted,
    coalesce(f.subjects_opted_out, 0) as subjects_opted_out,
    coalesce(d.grants, 0) as grants,
    coalesce(d.opt_outs, 0) as opt_outs
from calendar as c
cross join scopes as s
left join in_force as f on f.consent_date = c.consent_date and f.scope = s.scope
left join changed as d on d.consent_date = c.consent_date and d.scope = s.scope
