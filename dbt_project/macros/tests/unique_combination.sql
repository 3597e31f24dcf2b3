{#-
    Fails with one row per combination of `combination_of_columns` that occurs more than once.
    A stand-in for dbt_utils.unique_combination_of_columns, since dbt packages cannot be installed.
-#}
{% test unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by all
having count(*) > 1

{% endtest %}
