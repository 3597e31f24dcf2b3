{#- Quality tiers in order, best first (docs/warehouse.md): tier_1 > tier_2 > tier_3 > tier_4 > toxic. -#}
{% macro tier_rank(tier) -%}
    list_position(['tier_1', 'tier_2', 'tier_3', 'tier_4', 'toxic'], {{ tier }})
{%- endmacro %}

{% macro tier_of_rank(rank) -%}
    (['tier_1', 'tier_2', 'tier_3', 'tier_4', 'toxic'])[{{ rank }}]
{%- endmacro %}
