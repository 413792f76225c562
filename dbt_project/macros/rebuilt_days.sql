{#- The visitors and Almaty days whose figures change when the delivery days
    [min_date, max_date) are (re)ingested: every (visitor, day) a record delivered then
    belongs to. Daily models rebuild exactly these, from all records of them whichever day
    they were delivered on, so late records land in their own day and a re-run gives the same
    rows. Sessions are rebuilt per visitor and day; day totals per day (rebuilt_days). -#}
{% macro rebuilt_visitor_days() %}
    select anonymous_pseudonym, activity_date
    from {{ ref('stg_events') }}
    where {{ in_delivery_window('delivery_day') }}
        or activity_date in (select day from {{ source('ingested', 'purged_days') }})
    union
    select anonymous_pseudonym, activity_date
    from {{ ref('stg_searches') }}
    where {{ in_delivery_window('delivery_day') }}
        or activity_date in (select day from {{ source('ingested', 'purged_days') }})
{% endmacro %}

{#- Days a purge removed rows of (privacy/purge.py) are rebuilt whole, with every visitor of
    them, and are rebuilt even when nothing of them is left: see delete_purged_days. -#}
{% macro rebuilt_days() %}
    select distinct activity_date as day from ({{ rebuilt_visitor_days() }})
    union
    select day from {{ source('ingested', 'purged_days') }}
{% endmacro %}

{#- A pre-hook of every daily model: delete the rows of the days a purge touched before they
    are rebuilt, since delete+insert alone would keep a day (or a visitor's day) that has
    nothing left to insert. -#}
{% macro delete_purged_days(day_column) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ day_column }} in (select day from {{ source('ingested', 'purged_days') }})
    {%- else -%}
        select 1
    {%- endif -%}
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

{#- The first and last rebuilt day as literals, read before the model runs: a filter on a
    literal lets DuckDB skip the stored row groups of other days, which a filter on a subquery
    does not. None when nothing is rebuilt. -#}
{% macro rebuilt_span() %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set bounds = run_query("select min(day), max(day) from (" ~ rebuilt_days() ~ ")") -%}
    {%- set first = bounds.columns[0].values()[0] -%}
    {%- if first is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return((first, bounds.columns[1].values()[0])) }}
{% endmacro %}

{#- A moment that may fall on a rebuilt day (Almaty days start 5 or 6 hours before UTC ones). -#}
{% macro moment_in_rebuilt_span(column) %}
    {%- set span = rebuilt_span() -%}
    {%- if span is none -%}
        {{ column }} is null and {{ column }} is not null
    {%- else -%}
        {{ column }} >= cast('{{ span[0] }}' as timestamptz) - interval 1 day
        and {{ column }} < cast('{{ span[1] }}' as timestamptz) + interval 1 day
    {%- endif -%}
{% endmacro %}

{#- An Almaty day between the first and last rebuilt day. -#}
{% macro day_in_rebuilt_span(column) %}
    {%- set span = rebuilt_span() -%}
    {%- if span is none -%}
        {{ column }} is null and {{ column }} is not null
    {%- else -%}
        {{ column }} between cast('{{ span[0] }}' as date) and cast('{{ span[1] }}' as date)
    {%- endif -%}
{% endmacro %}
