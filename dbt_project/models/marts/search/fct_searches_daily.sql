-- What people look for per Almaty day, and whether the search paid off. Bots are left out;
-- queries typed by too few people are folded into 'other', and a top filter value is shown
-- only when enough people of the group used it (top_value).

{%- set top_filters = {
    'top_category': 'filter_category',
    'top_district': 'filter_district',
    'top_nights': 'filter_nights',
    'top_guests': 'filter_guests',
} %}

with days as (
    {{ rebuilt_days() }}
),

searches as (
    select
        s.search_id,
        s.activity_date as search_date,
        s.occurred_at,
        s.anonymous_pseudonym,
        s.query,
        {{ query_language('s.query') }} as query_language,
        s.results_count,
        s.filter_category,
        s.filter_district,
        date_diff(
            'day', try_cast(s.filter_check_in as date), try_cast(s.filter_check_out as date)
        ) as filter_nights,
        s.filter_guests,
        a.session_id
    from {{ ref('stg_searches') }} as s
    inner join {{ ref('int_activity_sessionized') }} as a
        on a.activity_id = s.search_id and a.activity_kind = 'search'
    where {{ moment_in_rebuilt_span('s.occurred_at') }}
      and {{ day_in_rebuilt_span('a.session_date') }}
      and s.activity_date in (select day from days)
      and a.session_date in (select day from days)
      and not s.is_bot
),

clicked as (
    select distinct search_id
    from {{ ref('stg_events') }}
    where event_type = 'search_result_click'
      -- a click comes after its search, if at all
      and occurred_at >= (select min(occurred_at) from searches)
),

later_in_session as (
    select
        s.search_id,
        bool_or(a.action in ('contact_request', 'rental_request')) as led_to_request,
        bool_or(a.action = 'booking') as led_to_booking
    from searches as s
    inner join {{ ref('int_activity_sessionized') }} as a
        on a.session_id = s.session_id
        and a.session_date = s.search_date
        and {{ day_in_rebuilt_span('a.session_date') }}
        and a.occurred_at >= s.occurred_at
    group by s.search_id
),

judged as (
    select
        s.*,
        c.search_id is not null as led_to_click,
        coalesce(l.led_to_request, false) as led_to_request,
        coalesce(l.led_to_booking, false) as led_to_booking
    from searches as s
    left join clicked as c on c.search_id = s.search_id
    left join later_in_session as l on l.search_id = s.search_id
),

folded as (
    {{ fold_small_groups(
        'judged', 'search_date',
        fold=['query'],
        keep=['query_language'],
        subject='anonymous_pseudonym',
    ) }}
),

{%- for name, column in top_filters.items() %}

{{ name }} as (
    {{ top_value(
        'folded', ['search_date', 'query', 'query_language'], column,
        subject='anonymous_pseudonym', name=name,
    ) }}
),
{%- endfor %}

counted as (
    select
        search_date,
        query,
        query_language,
        count(*) as searches,
        count(distinct anonymous_pseudonym) as searchers,
        avg(case when results_count = 0 then 1.0 else 0.0 end) as zero_result_rate,
        avg(case when led_to_click then 1.0 else 0.0 end) as click_through_rate,
        avg(case when led_to_request then 1.0 else 0.0 end) as request_rate,
        avg(case when led_to_booking then 1.0 else 0.0 end) as booking_rate
    from folded
    group by all
    having {{ enough_subjects('anonymous_pseudonym') }}
)

select
    counted.*,
    {%- for name in top_filters %}
    {{ name }}.{{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from counted
{%- for name in top_filters %}
left join {{ name }} using (search_date, query, query_language)
{%- endfor %}
