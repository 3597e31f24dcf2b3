{#- An aggregate over the days of one side of an attribution window: `aggregate` (for example
    `sum(site_days.organic_sessions)`) filtered to the rows of `days` whose date falls between
    `<side>_start_date` and `<side>_end_date` of `windows` (side: `pre` or `post`). -#}
{% macro in_window(aggregate, days, windows, side) -%}
    {{ aggregate }} filter (
        where {{ days }}.date between {{ windows }}.{{ side }}_start_date and {{ windows }}.{{ side }}_end_date
    )
{%- endmacro %}
