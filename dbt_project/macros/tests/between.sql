{#-
    Fails with one row per non-null value of `column_name` outside [min_value, max_value].
    A stand-in for dbt_utils.accepted_range, since dbt packages cannot be installed.
-#}
{% test between(model, column_name, min_value, max_value) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}

{% endtest %}
