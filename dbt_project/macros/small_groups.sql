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
