{#- The language a query is typed in: letters only Kazakh has make it Kazakh, other Cyrillic
    Russian, Latin English; digits and symbols alone say nothing. -#}
{% macro query_language(query) %}
    case
        when regexp_matches({{ query }}, '[әғқңөұүһі]') then 'kk'
        when regexp_matches({{ query }}, '[а-яё]') then 'ru'
        when regexp_matches({{ query }}, '[a-z]') then 'en'
        else 'unknown'
    end
{% endmacro %}
