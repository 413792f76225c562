-- Per Almaty day and consent scope: how many subjects with a recorded choice had it granted or
-- refused at the end of the day, and how many changed it that day. Subjects who never chose
-- are not counted: for them the contract's defaults apply.

with changes as (
    select
        c.subject_pseudonym,
        c.subject_kind,
        s.scope,
        c.granted,
        c.changed_at,
        {{ almaty_day('c.changed_at') }} as change_date
    from {{ ref('stg_consent_changes') }} as c
    inner join (
        values ('analytics'), ('personalization'), ('marketing'), ('geolocation')
    ) as s (scope)
        on c.scope = s.scope or c.scope = 'all'
),

end_of_day as (
    -- The choice each subject ended each day with; at equal times the refusal wins.
    select *
    from changes
    qualify row_number() over (
        partition by subject_pseudonym, subject_kind, scope, change_date
        order by changed_at desc, granted asc
    ) = 1
),

spans as (
    select
        *,
        lead(change_date) over (
            partition by subject_pseudonym, subject_kind, scope order by change_date
        ) as next_change_date
    from end_of_day
),

calendar as (
    select cast(day as date) as consent_date
    from range(
        (select min(change_date) from changes),
        greatest((select max(change_date) from changes), {{ as_of_date() }}) + 1,
        interval 1 day
    ) as t (day)
),

scopes as (
    select distinct scope from changes
),

in_force as (
    select
        c.consent_date,
        s.scope,
        count(*) filter (where s.granted) as subjects_granted,
        count(*) filter (where not s.granted) as subjects_opted_out
    from calendar as c
    inner join spans as s
        on s.change_date <= c.consent_date
        and (s.next_change_date is null or c.consent_date < s.next_change_date)
    group by all
),

changed as (
    select
        change_date as consent_date,
        scope,
        count(*) filter (where granted) as grants,
        count(*) filter (where not granted) as opt_outs
    from changes
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
