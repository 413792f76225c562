{#- Where a session came from, judged on its first page: a campaign tag (utm_*) wins, then the
    referrer's host. No referrer, or one of our own pages, is direct. -#}
{% macro channel_of(page_url, referrer) %}
    case
        when regexp_matches(coalesce({{ page_url }}, ''), '[?&]utm_[a-z]+=') then 'campaign'
        when {{ referrer_host(referrer) }} is null then 'direct'
        when regexp_matches({{ referrer_host(referrer) }}, '(^|\.)visitalmaty\.kz$') then 'direct'
        when regexp_matches(
            {{ referrer_host(referrer) }},
            '(^|\.)(google|yandex|bing|yahoo|duckduckgo|baidu|ecosia)\.[a-z.]+$|(^|\.)go\.mail\.ru$'
        ) then 'search_engine'
        when regexp_matches(
            {{ referrer_host(referrer) }},
            '(^|\.)(instagram\.com|facebook\.com|fb\.com|t\.me|telegram\.org|vk\.com|ok\.ru|tiktok\.com|youtube\.com|twitter\.com|x\.com|linkedin\.com|threads\.net|whatsapp\.com)$'
        ) then 'social'
        else 'referral'
    end
{% endmacro %}

{% macro referrer_host(referrer) -%}
    nullif(lower(regexp_extract({{ referrer }}, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1)), '')
{%- endmacro %}

{#- The page's path, without scheme, host or query: what the entry page is. -#}
{% macro url_path(url) -%}
    nullif(regexp_extract({{ url }}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)?', 1), '')
{%- endmacro %}
