{#- Written by privacy/dbt_macros.py from the privacy rules of privacy/, whenever the dbt
    manifest is prepared: do not edit. Each macro is the rule's own SQL. -#}

{% macro almaty_day(column) -%}
cast(timezone('Asia/Almaty', {{ column }}) as date)
{%- endmacro %}

{% macro almaty_midnight(day) -%}
timezone('Asia/Almaty', cast({{ day }} as timestamp))
{%- endmacro %}

{% macro listing_retired(deleted_at, expires_at, as_of) -%}
({{ deleted_at }} is not null or coalesce(cast(timezone('Asia/Almaty', {{ expires_at }}) as date) < {{ as_of }}, false))
{%- endmacro %}

{% macro consent_intervals(changes) -%}
select subject, scope, ts as valid_from,
  lead(ts) over (partition by subject, scope order by ts, granted desc) as valid_to,
  granted
from (
  select c.subject, s.scope, c.ts, c.granted
  from {{ changes }} as c
  join (values ('analytics'), ('personalization'), ('marketing'), ('geolocation')) as s(scope) on c.scope = s.scope or c.scope = 'all'
)
{%- endmacro %}

{% macro refused_personalization_now(intervals) -%}
select subject from {{ intervals }}
where scope = 'personalization' and valid_to is null and not granted
{%- endmacro %}
