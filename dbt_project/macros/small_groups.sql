{#- Figures resting on fewer than `min_group_size` distinct subjects must not single anyone out.

    fold_small_groups: rows of `relation` whose group (`day_column` and every column of `fold`
    and `keep`) has too few distinct `subject` values get 'other' in each `fold` column, so
    their figures still count in the totals. The mart then drops groups still too small,
    'other' included, with `having {{ enough_subjects(subject) }}`. -#}
{% macro fold_small_groups(relation, day_column, fold, keep, subject) %}
    select * exclude (group_subjects) replace (
        {%- for column in fold %}
        case when group_subjects < {{ var('min_group_size') }} then 'other' else {{ column }} end
            as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    )
    from (
        select
            *,
            count(distinct {{ subject }}) over (
                partition by {{ ([day_column] + fold + keep) | join(', ') }}
            ) as group_subjects
        from {{ relation }}
    )
{% endmacro %}

{% macro enough_subjects(subject) %}
    count(distinct {{ subject }}) >= {{ var('min_group_size') }}
{% endmacro %}

{#- A value shown as a group's "top" (most used filter, ...) must rest on min_group_size distinct
    subjects too, or one person's rare choice would single them out.

    top_value: per group (the `group` columns of `relation`), the most used non-null value of
    `column` among the values at least min_group_size distinct `subject` values used in that
    group, as `name`; of equally used ones the lowest, so a re-run gives the same. Null when no
    value was used by that many: too rare a value is never shown, it gives way to the next
    most used one that is not. Join it to the group's figures with a left join. -#}
{% macro top_value(relation, group, column, subject, name) %}
    select
        {{ group | join(', ') }},
        arg_min(value, (-uses, value))
            filter (where users >= {{ var('min_group_size') }}) as {{ name }}
    from (
        select
            {{ group | join(', ') }},
            {{ column }} as value,
            count(*) as uses,
            count(distinct {{ subject }}) as users
        from {{ relation }}
        where {{ column }} is not null
        group by all
    )
    group by all
{% endmacro %}
