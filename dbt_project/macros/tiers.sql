{#- Quality tiers in order, best first (docs/warehouse.md): tier_1 > tier_2 > tier_3 > tier_4 > toxic. -#}
{% macro quality_tiers() -%}
    {{ lk_string_array(['tier_1', 'tier_2', 'tier_3', 'tier_4', 'toxic']) }}
{%- endmacro %}

{#- The rank of `tier` (1 for tier_1 … 5 for toxic) as an integer; null for anything else. -#}
{% macro tier_rank(tier) -%}
    cast({{ lk_array_position(quality_tiers(), tier) }} as integer)
{%- endmacro %}

{#- The tier of rank `rank` (1-based); null for null or out of range. The cast: Spark indexes
    arrays with integers only, and a min() or sum() of ranks may be a bigint. -#}
{% macro tier_of_rank(rank) -%}
    {{ lk_array_at(quality_tiers(), 'cast(' ~ rank ~ ' as integer)') }}
{%- endmacro %}
