{#- An ASOF lookup, as a whole select (the body of a CTE): every row of `probes` (a relation or
    CTE) with `columns` (a list of its column names, `keys` among them), and `value` of the
    `data` row with the same `keys` whose `data_date` (a column of `data`) is the latest on or
    before `probe_date` (direction 'backward') or the earliest on or after it ('forward'), as
    column `as_name`; `strict` leaves out a `data_date` equal to `probe_date`. Null when no row
    matches. `probe_date` is an SQL expression over the probe row, named `probes`
    (`probes.acquired_date - probes.window_days`). `data` holds one row per `keys` and date, and
    `value` is never null there.
    DuckDB: its ASOF LEFT JOIN. Spark has none: probes and data rows in one ordered window per
    `keys` (latest first for 'forward'), each probe taking the last non-null value before it; a
    sort flag puts the data rows of the probe's own date before it, or after it when `strict`. -#}
{% macro lk_asof_lookup(
    probes, columns, keys, probe_date, data, data_date, value, as_name,
    direction='backward', strict=false
) -%}
    {{ return(adapter.dispatch('lk_asof_lookup')(
        probes, columns, keys, probe_date, data, data_date, value, as_name, direction, strict
    )) }}
{%- endmacro %}

{% macro default__lk_asof_lookup(
    probes, columns, keys, probe_date, data, data_date, value, as_name, direction, strict
) -%}
    {%- set comparison = ('<' if direction == 'backward' else '>') ~ ('' if strict else '=') -%}
    select
        {% for column in columns %}probes.{{ column }},
        {% endfor %}data.{{ value }} as {{ as_name }}
    from {{ probes }} as probes
    asof left join {{ data }} as data
        on {% for key in keys %}data.{{ key }} = probes.{{ key }}
        and {% endfor %}data.{{ data_date }} {{ comparison }} {{ probe_date }}
{%- endmacro %}

{% macro spark__lk_asof_lookup(
    probes, columns, keys, probe_date, data, data_date, value, as_name, direction, strict
) -%}
    select {{ columns | join(', ') }}, {{ as_name }}
    from (
        select
            {{ columns | join(', ') }},
            is_probe,
            last(lookup_value, true) over (
                partition by {{ keys | join(', ') }}
                order by lookup_date{{ ' desc' if direction == 'forward' }}, sort_order
                rows between unbounded preceding and current row
            ) as {{ as_name }}
        from (
            select
                {% for column in columns %}probes.{{ column }},
                {% endfor %}{{ probe_date }} as lookup_date,
                true as is_probe,
                {{ 0 if strict else 1 }} as sort_order,
                null as lookup_value
            from {{ probes }} as probes
            union all
            select
                {% for column in columns %}{{ 'data.' ~ column if column in keys else 'null' }} as {{ column }},
                {% endfor %}data.{{ data_date }} as lookup_date,
                false as is_probe,
                {{ 1 if strict else 0 }} as sort_order,
                data.{{ value }} as lookup_value
            from {{ data }} as data
            where data.{{ data_date }} is not null
        ) as timeline
    ) as looked_up
    where is_probe
{%- endmacro %}

{#- One row per element of `array`, as the only generator of a select list
    (`select lk_unnest(x) as y from t`); a null or empty array gives no row. Spark allows no
    expression around it (cast in an outer select). Where the rows feed a join, DuckDB estimates
    this form's rows better than an unnest join (lk_unnest_join), whose estimate of ~0 rows can
    turn a later ASOF join into a nested loop. -#}
{% macro lk_unnest(array) -%}{{ return(adapter.dispatch('lk_unnest')(array)) }}{%- endmacro %}
{% macro default__lk_unnest(array) -%}unnest({{ array }}){%- endmacro %}
{% macro spark__lk_unnest(array) -%}explode({{ array }}){%- endmacro %}
