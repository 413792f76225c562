{#- Every row of a dashboard mart rests on at least min_group_size distinct subjects. -#}
{% test enough_subjects(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ var('min_group_size') }}
{% endtest %}
