{#- No two rows share these columns: the grain of a mart. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as rows_with_key
    from {{ model }}
    group by all
    having count(*) > 1
{% endtest %}
