{#- URL normalization (docs/warehouse.md, "Normalization used everywhere").
    page = lowercase host without a leading `www.` and default port, then the path; no scheme,
    fragment or trailing slash (except the root `/`). Target and landing pages drop the query;
    source pages keep it minus tracking parameters, the rest sorted.
    The patterns say `\z` and `[^\n]` where RE2 (DuckDB) reads `$` and `.`: Java's (Spark's) `$`
    also matches before a final line break, and its `.` also stops at `\r`. -#}

{% macro _url_rest(url) -%}
    regexp_replace(regexp_replace(trim({{ url }}), '^([a-zA-Z][a-zA-Z0-9+.-]*:)?//', ''), '#[^\n]*\z', '')
{%- endmacro %}

{% macro url_host(url) -%}
    regexp_replace(
        regexp_replace(lower(regexp_extract({{ _url_rest(url) }}, '^(?:[^@/?]*@)?([^/?]*)', 1)), '(:80|:443)\z', ''),
        '^www\.', ''
    )
{%- endmacro %}

{% macro _url_path(url) -%}
    regexp_extract({{ _url_rest(url) }}, '^[^/?]*([^?]*)', 1)
{%- endmacro %}

{% macro _clean_path(path) -%}
    coalesce(nullif(regexp_replace({{ path }}, '/+\z', ''), ''), '/')
{%- endmacro %}

{% macro normalize_page(url) -%}
    case when nullif(trim({{ url }}), '') is not null then
        {{ url_host(url) }} || {{ _clean_path(_url_path(url)) }}
    end
{%- endmacro %}

{% macro normalize_source_page(url) -%}
    case when nullif(trim({{ url }}), '') is not null then
        {%- set parameters = lk_split("regexp_extract(" ~ _url_rest(url) ~ ", '\\?([^\\n]*)\\z', 1)", "'&'") %}
        {%- set is_tracking = lk_regexp_matches(
            "lower(split_part(p, '=', 1))", "'^(utm_[^\\n]*|gclid|fbclid|msclkid|mc_cid|mc_eid)\\z'"
        ) %}
        {{ normalize_page(url) }} || coalesce('?' || nullif({{ lk_array_join(
            'array_sort(' ~ lk_filter(parameters, 'p', "p <> '' and not " ~ is_tracking) ~ ')', "'&'"
        ) }}, ''), '')
    end
{%- endmacro %}

{% macro backlink_id(source_page, target_page) -%}
    md5({{ source_page }} || ' -> ' || {{ target_page }})
{%- endmacro %}
