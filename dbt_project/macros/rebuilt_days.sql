{#- The Almaty days whose figures change when the delivery days [min_date, max_date) are
    (re)ingested: every day a record delivered then happened on. Daily models rebuild exactly
    these days from all records of them, whichever day they were delivered on, so late
    records land in their own day and a re-run gives the same rows. -#}
{% macro rebuilt_days() %}
    select activity_date as day
    from {{ ref('stg_events') }}
    where {{ in_delivery_window('delivery_day') }}
    union
    select activity_date as day
    from {{ ref('stg_searches') }}
    where {{ in_delivery_window('delivery_day') }}
{% endmacro %}

{#- Half-open, so neighbouring windows never count a day twice. -#}
{% macro in_delivery_window(column) %}
    {{ column }} >= cast('{{ var("min_date") }}' as date)
    and {{ column }} < cast('{{ var("max_date") }}' as date)
{% endmacro %}

{#- "Today" for ages and decay: the as_of var when set, else the current date. -#}
{% macro as_of_date() %}
    {%- if var('as_of') -%} cast('{{ var("as_of") }}' as date) {%- else -%} current_date {%- endif -%}
{% endmacro %}
