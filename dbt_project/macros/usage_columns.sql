{#- The columns events and searches share after ingestion (ingestion/warehouse.py, _COMMON),
    grouped as the staging models list them; the two add their own. -#}
{% macro usage_columns() %}
        ---------- subjects (pseudonyms)
        user_pseudonym,
        anonymous_pseudonym,
        device_pseudonym,

        ---------- client
        ip_network,
        ip_token,
        browser_family,
        browser_major,
        os_family,
        device_class,
        is_bot,
        app,
        locale,
        geo_lat,
        geo_lon,

        ---------- consent
        gpc,
        personalization_allowed,
        marketing_allowed,

        ---------- timestamps
        delivery_day,
        occurred_at,
        timezone('Asia/Almaty', occurred_at) as occurred_at_local,
        {{ almaty_day('occurred_at') }} as activity_date,

        ---------- lineage
        key_version
{%- endmacro %}

{#- What sessions need of every event and search alike. -#}
{% macro activity_attributes() %}
        occurred_at,
        occurred_at_local,
        activity_date,
        anonymous_pseudonym,
        user_pseudonym,
        app,
        device_class,
        browser_family,
        locale,
        is_bot
{%- endmacro %}
