{#- Each site's latest backlink snapshot date over all vendors, as a subquery (site,
    latest_snapshot_date): the day `fct_backlinks.is_live` refers to, published as
    `dim_sites.latest_snapshot_date`. One definition for the models and the post-hook that need it. -#}
{% macro latest_snapshot_dates() -%}
    (
        select site, max(snapshot_date) as latest_snapshot_date
        from {{ ref('int_backlink_snapshots') }}
        group by site
    )
{%- endmacro %}
