{#- The SQL that differs between the two engines (DuckDB, the default; Spark through dbt-spark),
    one macro per construct with a duckdb__ and a spark__ version. A model calls these and never
    branches on the engine itself. Where both engines accept the same SQL the models use it
    directly: array_contains, array_position (see lk_array_position), array_distinct, max_by,
    min_by, date ± integer, `cast(… as string)`, `cast(date_trunc(…) as date)`, count_if, bool_or,
    bool_and, qualify, `group by all`, `filter (where …)` on aggregates. -#}

{#- An array of the SQL expressions in `items` (a list). -#}
{% macro lk_array(items) -%}{{ return(adapter.dispatch('lk_array')(items)) }}{%- endmacro %}
{% macro default__lk_array(items) -%}[{{ items | join(', ') }}]{%- endmacro %}
{% macro spark__lk_array(items) -%}array({{ items | join(', ') }}){%- endmacro %}

{#- An empty array of `element_type` (`string`, `date`, …). -#}
{% macro lk_empty_array(element_type) -%}
    {{ return(adapter.dispatch('lk_empty_array')(element_type)) }}
{%- endmacro %}
{% macro default__lk_empty_array(element_type) -%}cast([] as {{ element_type }}[]){%- endmacro %}
{% macro spark__lk_empty_array(element_type) -%}cast(array() as array<{{ element_type }}>){%- endmacro %}

{#- The element type `element_type` as an array type, for casts. -#}
{% macro lk_array_type(element_type) -%}
    {{ return(adapter.dispatch('lk_array_type')(element_type)) }}
{%- endmacro %}
{% macro default__lk_array_type(element_type) -%}{{ element_type }}[]{%- endmacro %}
{% macro spark__lk_array_type(element_type) -%}array<{{ element_type }}>{%- endmacro %}

{#- The number of elements; null for a null array (Spark's size() says -1). -#}
{% macro lk_array_length(array) -%}{{ return(adapter.dispatch('lk_array_length')(array)) }}{%- endmacro %}
{% macro default__lk_array_length(array) -%}len({{ array }}){%- endmacro %}
{% macro spark__lk_array_length(array) -%}
    case when {{ array }} is not null then size({{ array }}) end
{%- endmacro %}

{#- 1-based position of `value` in `array`, null when absent (Spark's array_position says 0). -#}
{% macro lk_array_position(array, value) -%}
    {{ return(adapter.dispatch('lk_array_position')(array, value)) }}
{%- endmacro %}
{% macro default__lk_array_position(array, value) -%}list_position({{ array }}, {{ value }}){%- endmacro %}
{% macro spark__lk_array_position(array, value) -%}
    nullif(array_position({{ array }}, {{ value }}), 0)
{%- endmacro %}

{#- The element at 1-based `index`, null past the end. -#}
{% macro lk_array_at(array, index) -%}
    {{ return(adapter.dispatch('lk_array_at')(array, index)) }}
{%- endmacro %}
{% macro default__lk_array_at(array, index) -%}{{ array }}[{{ index }}]{%- endmacro %}
{% macro spark__lk_array_at(array, index) -%}try_element_at({{ array }}, {{ index }}){%- endmacro %}

{#- Whether the two arrays share an element. -#}
{% macro lk_arrays_overlap(left, right) -%}
    {{ return(adapter.dispatch('lk_arrays_overlap')(left, right)) }}
{%- endmacro %}
{% macro default__lk_arrays_overlap(left, right) -%}list_has_any({{ left }}, {{ right }}){%- endmacro %}
{% macro spark__lk_arrays_overlap(left, right) -%}arrays_overlap({{ left }}, {{ right }}){%- endmacro %}

{#- The elements of `array` for which `condition` (over the element named `var`) holds. -#}
{% macro lk_filter(array, var, condition) -%}
    {{ return(adapter.dispatch('lk_filter')(array, var, condition)) }}
{%- endmacro %}
{% macro default__lk_filter(array, var, condition) -%}
    list_filter({{ array }}, lambda {{ var }}: {{ condition }})
{%- endmacro %}
{% macro spark__lk_filter(array, var, condition) -%}
    filter({{ array }}, {{ var }} -> {{ condition }})
{%- endmacro %}

{#- `expression` (over the element named `var`) for every element of `array`. -#}
{% macro lk_transform(array, var, expression) -%}
    {{ return(adapter.dispatch('lk_transform')(array, var, expression)) }}
{%- endmacro %}
{% macro default__lk_transform(array, var, expression) -%}
    list_transform({{ array }}, lambda {{ var }}: {{ expression }})
{%- endmacro %}
{% macro spark__lk_transform(array, var, expression) -%}
    transform({{ array }}, {{ var }} -> {{ expression }})
{%- endmacro %}

{#- Whether `condition` (over the element named `var`) holds for some element of `array`. -#}
{% macro lk_array_any(array, var, condition) -%}
    {{ return(adapter.dispatch('lk_array_any')(array, var, condition)) }}
{%- endmacro %}
{% macro default__lk_array_any(array, var, condition) -%}
    len(list_filter({{ array }}, lambda {{ var }}: {{ condition }})) > 0
{%- endmacro %}
{% macro spark__lk_array_any(array, var, condition) -%}
    exists({{ array }}, {{ var }} -> {{ condition }})
{%- endmacro %}

{#- `text` split at every `separator` (a plain string literal, not a pattern). -#}
{% macro lk_split(text, separator) -%}
    {{ return(adapter.dispatch('lk_split')(text, separator)) }}
{%- endmacro %}
{% macro default__lk_split(text, separator) -%}string_split({{ text }}, {{ separator }}){%- endmacro %}
{% macro spark__lk_split(text, separator) -%}
    split({{ text }}, concat('\Q', {{ separator }}, '\E'), -1)
{%- endmacro %}

{#- Whether the whole of `text` matches the regular expression `pattern`. -#}
{% macro lk_regexp_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('lk_regexp_full_match')(text, pattern)) }}
{%- endmacro %}
{% macro default__lk_regexp_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, {{ pattern }})
{%- endmacro %}
{% macro spark__lk_regexp_full_match(text, pattern) -%}
    ({{ text }} rlike concat('^(?:', {{ pattern }}, ')\z'))
{%- endmacro %}

{#- Whether some part of `text` matches the regular expression `pattern`. -#}
{% macro lk_regexp_matches(text, pattern) -%}
    {{ return(adapter.dispatch('lk_regexp_matches')(text, pattern)) }}
{%- endmacro %}
{% macro default__lk_regexp_matches(text, pattern) -%}regexp_matches({{ text }}, {{ pattern }}){%- endmacro %}
{% macro spark__lk_regexp_matches(text, pattern) -%}({{ text }} rlike {{ pattern }}){%- endmacro %}

{#- Every match of `pattern` in `text` replaced by `replacement` (no group references). -#}
{% macro lk_regexp_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('lk_regexp_replace_all')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__lk_regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__lk_regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- Days from `start` to `stop` (dates): stop - start, as an integer. -#}
{% macro lk_days_between(start, stop) -%}
    {{ return(adapter.dispatch('lk_days_between')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_days_between(start, stop) -%}date_diff('day', {{ start }}, {{ stop }}){%- endmacro %}
{% macro spark__lk_days_between(start, stop) -%}datediff({{ stop }}, {{ start }}){%- endmacro %}

{#- Every day from `start` to `stop`, both included, as an array of dates. -#}
{% macro lk_date_sequence(start, stop) -%}
    {{ return(adapter.dispatch('lk_date_sequence')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_date_sequence(start, stop) -%}
    cast(generate_series(cast({{ start }} as date), cast({{ stop }} as date), interval 1 day) as date[])
{%- endmacro %}
{% macro spark__lk_date_sequence(start, stop) -%}
    sequence(cast({{ start }} as date), cast({{ stop }} as date), interval 1 day)
{%- endmacro %}

{#- One row per element of `array`, as column `column` of `alias`, joined to the rows before it
    (a lateral join: `array` may use their columns). Rows with a null or empty array are dropped;
    `keep_empty=true` keeps them once, with a null element. Place it last in the FROM clause,
    after every join and before WHERE: Spark's LATERAL VIEW must come there. -#}
{% macro lk_unnest_join(array, alias, column, keep_empty=false) -%}
    {{ return(adapter.dispatch('lk_unnest_join')(array, alias, column, keep_empty)) }}
{%- endmacro %}
{% macro default__lk_unnest_join(array, alias, column, keep_empty) -%}
    {%- if keep_empty -%}
    left join unnest(
        case when len({{ array }}) > 0 then {{ array }} else [null] end
    ) as {{ alias }} ({{ column }}) on true
    {%- else -%}
    cross join unnest({{ array }}) as {{ alias }} ({{ column }})
    {%- endif -%}
{%- endmacro %}
{% macro spark__lk_unnest_join(array, alias, column, keep_empty) -%}
    lateral view {{ 'outer ' if keep_empty }}explode({{ array }}) {{ alias }} as {{ column }}
{%- endmacro %}

{#- A struct literal from a mapping of field name to SQL expression (fields keep their order). -#}
{% macro lk_struct(fields) -%}{{ return(adapter.dispatch('lk_struct')(fields)) }}{%- endmacro %}
{% macro default__lk_struct(fields) -%}
    struct_pack({% for name, value in fields.items() %}{{ name }} := {{ value }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__lk_struct(fields) -%}
    named_struct({% for name, value in fields.items() %}'{{ name }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- The values of `expression` in a group as an array, ordered by `order_by` (a SQL expression,
    ascending; null: no order promised), without repeats when `distinct`. Nulls are dropped. -#}
{% macro lk_array_agg(expression, order_by=none, distinct=false) -%}
    {{ return(adapter.dispatch('lk_array_agg')(expression, order_by, distinct)) }}
{%- endmacro %}
{#- DuckDB: collected, then sorted per group. An aggregate with its own ORDER BY keeps every
    group's values in memory and cannot spill: at 20M links it ran out of memory. -#}
{% macro default__lk_array_agg(expression, order_by, distinct) -%}
    {%- if order_by and distinct and order_by | trim == expression | trim -%}
    list_sort(list_distinct(list({{ expression }}) filter (where {{ expression }} is not null)))
    {%- elif order_by and not distinct -%}
    {{ default__lk_transform(
        'list_sort(list(' ~ lk_struct({'k': order_by, 'v': expression}) ~ ') filter (where ' ~ expression ~ ' is not null))',
        's', 's.v'
    ) }}
    {%- else -%}
    {#- no order, or distinct values in another column's order (no model asks for that) -#}
    list({{ 'distinct ' if distinct }}{{ expression }}{% if order_by %} order by {{ order_by }}{% endif %}) filter (where {{ expression }} is not null)
    {%- endif -%}
{%- endmacro %}
{% macro spark__lk_array_agg(expression, order_by, distinct) -%}
    {%- if order_by and distinct and order_by | trim == expression | trim -%}
    array_sort(collect_set({{ expression }}))
    {%- elif order_by -%}
    {{ 'array_distinct(' if distinct }}transform(
        array_sort(collect_list(named_struct('k', {{ order_by }}, 'v', {{ expression }}))),
        s -> s.v
    ){{ ')' if distinct }}
    {%- elif distinct -%}
    collect_set({{ expression }})
    {%- else -%}
    collect_list({{ expression }})
    {%- endif -%}
{%- endmacro %}

{#- The non-null values of `expression` in a group joined with `separator`, in the order of
    `order_by` (null: no order promised). -#}
{% macro lk_string_agg(expression, separator, order_by=none) -%}
    {{ return(adapter.dispatch('lk_string_agg')(expression, separator, order_by)) }}
{%- endmacro %}
{% macro default__lk_string_agg(expression, separator, order_by) -%}
    {%- if order_by -%}
    array_to_string({{ default__lk_array_agg(expression, order_by, false) }}, {{ separator }})
    {%- else -%}
    string_agg({{ expression }}, {{ separator }})
    {%- endif -%}
{%- endmacro %}
{% macro spark__lk_string_agg(expression, separator, order_by) -%}
    nullif(array_join({{ spark__lk_array_agg(expression, order_by, false) }}, {{ separator }}), '')
{%- endmacro %}

{#- `as not materialized` for a CTE DuckDB should inline (Spark always does). -#}
{% macro lk_not_materialized() -%}{{ return(adapter.dispatch('lk_not_materialized')()) }}{%- endmacro %}
{% macro default__lk_not_materialized() -%}not materialized{%- endmacro %}
{% macro spark__lk_not_materialized() -%}{%- endmacro %}

{#- Every column of `relation_alias` but those in `columns` (a list of names). -#}
{% macro lk_star_except(columns, relation_alias=none) -%}
    {{ return(adapter.dispatch('lk_star_except')(columns, relation_alias)) }}
{%- endmacro %}
{% macro default__lk_star_except(columns, relation_alias) -%}
    {{ relation_alias ~ '.' if relation_alias }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__lk_star_except(columns, relation_alias) -%}
    {{ relation_alias ~ '.' if relation_alias }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- The materialization of an incremental model: `incremental` on DuckDB; `table` on Spark,
    whose local tables are plain Parquet, without the delete or merge an incremental build needs
    (on Databricks, Delta has both: docs/scaling.md). Used as
    config(materialized=lk_incremental_materialized(), incremental_strategy='delete+insert'). -#}
{% macro lk_incremental_materialized() -%}
    {{ return(adapter.dispatch('lk_incremental_materialized')()) }}
{%- endmacro %}
{% macro default__lk_incremental_materialized() -%}{{ return('incremental') }}{%- endmacro %}
{% macro spark__lk_incremental_materialized() -%}{{ return('table') }}{%- endmacro %}

{#- ---- Lookups and unnesting in a select list (the attribution models) ---- -#}

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

{#- ---- String arrays, distinct string aggregation, structs as JSON ---- -#}

{#- An array of the string constants `values` (a list of Jinja strings without single quotes: the
    engines escape those differently), as SQL literals. -#}
{% macro lk_string_array(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- if "'" in value -%}
            {{ exceptions.raise_compiler_error("lk_string_array: a single quote in " ~ value) }}
        {%- endif -%}
        {%- do literals.append("'" ~ value ~ "'") -%}
    {%- endfor -%}
    {{ lk_array(literals) }}
{%- endmacro %}

{#- The distinct non-null values of `expression` in a group, in ascending order, joined with
    `separator`; null when there are none. -#}
{% macro lk_string_agg_distinct(expression, separator) -%}
    {{ return(adapter.dispatch('lk_string_agg_distinct')(expression, separator)) }}
{%- endmacro %}
{% macro default__lk_string_agg_distinct(expression, separator) -%}
    array_to_string({{ default__lk_array_agg(expression, expression, true) }}, {{ separator }})
{%- endmacro %}
{% macro spark__lk_string_agg_distinct(expression, separator) -%}
    case when count({{ expression }}) > 0 then array_join(array_sort(collect_set({{ expression }})), {{ separator }}) end
{%- endmacro %}

{#- `fields` (a mapping of field name to SQL expression, as for lk_struct) as a JSON object text,
    null fields written as `null` (Spark leaves them out unless told). -#}
{% macro lk_struct_to_json(fields) -%}
    {{ return(adapter.dispatch('lk_struct_to_json')(fields)) }}
{%- endmacro %}
{% macro default__lk_struct_to_json(fields) -%}
    cast(to_json({{ lk_struct(fields) }}) as varchar)
{%- endmacro %}
{% macro spark__lk_struct_to_json(fields) -%}
    to_json({{ lk_struct(fields) }}, map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- ---- Integer sequences, slices and joins of arrays (int_host_domains) ---- -#}

{#- The integers from `start` to `stop`, both included, as an array (`stop` >= `start`: Spark
    counts down otherwise, DuckDB gives an empty array). -#}
{% macro lk_integer_sequence(start, stop) -%}
    {{ return(adapter.dispatch('lk_integer_sequence')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_integer_sequence(start, stop) -%}generate_series({{ start }}, {{ stop }}){%- endmacro %}
{% macro spark__lk_integer_sequence(start, stop) -%}sequence({{ start }}, {{ stop }}){%- endmacro %}

{#- The elements of `array` from 1-based `start` to `stop`, both included. -#}
{% macro lk_array_slice(array, start, stop) -%}
    {{ return(adapter.dispatch('lk_array_slice')(array, start, stop)) }}
{%- endmacro %}
{% macro default__lk_array_slice(array, start, stop) -%}
    list_slice({{ array }}, {{ start }}, {{ stop }})
{%- endmacro %}
{% macro spark__lk_array_slice(array, start, stop) -%}
    slice({{ array }}, {{ start }}, {{ stop }} - ({{ start }}) + 1)
{%- endmacro %}

{#- The elements of an array of strings joined with `separator` (null elements left out). -#}
{% macro lk_array_join(array, separator) -%}
    {{ return(adapter.dispatch('lk_array_join')(array, separator)) }}
{%- endmacro %}
{% macro default__lk_array_join(array, separator) -%}array_to_string({{ array }}, {{ separator }}){%- endmacro %}
{% macro spark__lk_array_join(array, separator) -%}array_join({{ array }}, {{ separator }}){%- endmacro %}

{#- ---- Glob patterns (page groups) ---- -#}

{% macro lk_glob_match(text, pattern) -%}
    {{ return(adapter.dispatch('lk_glob_match')(text, pattern)) }}
{%- endmacro %}
{% macro default__lk_glob_match(text, pattern) -%}({{ text }} glob {{ pattern }}){%- endmacro %}
{% macro spark__lk_glob_match(text, pattern) -%}
    {%- set regex -%}
    concat('\Q', replace(replace(replace(replace(replace(replace(
        {{ pattern }}, '*', '\E.*\Q'), '?', '\E.\Q'), '[', '\E['), '\E[^', '\E[\^'), '\E[!', '\E[^'),
        ']', ']\Q'), '\E')
    {%- endset -%}
    {{ spark__lk_regexp_full_match(text, regex) }}
{%- endmacro %}

{#- ---- Month sequences and last non-null values ---- -#}

{#- The first day of every month from the month of `start` through `stop` (dates), as an array of
    dates; empty when `stop` is before that month. -#}
{% macro lk_month_sequence(start, stop) -%}
    {{ return(adapter.dispatch('lk_month_sequence')(start, stop)) }}
{%- endmacro %}
{% macro default__lk_month_sequence(start, stop) -%}
    cast(generate_series(
        cast(date_trunc('month', {{ start }}) as date), cast({{ stop }} as date), interval 1 month
    ) as date[])
{%- endmacro %}
{% macro spark__lk_month_sequence(start, stop) -%}
    case
        when cast(trunc({{ start }}, 'MM') as date) <= cast({{ stop }} as date)
            then sequence(cast(trunc({{ start }}, 'MM') as date), cast({{ stop }} as date), interval 1 month)
        when {{ start }} is not null and {{ stop }} is not null then cast(array() as array<date>)
    end
{%- endmacro %}

{#- The last non-null value of `expression` in the window frame; follow it with `over (…)`. -#}
{% macro lk_last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('lk_last_value_ignore_nulls')(expression)) }}
{%- endmacro %}
{% macro default__lk_last_value_ignore_nulls(expression) -%}last_value({{ expression }} ignore nulls){%- endmacro %}
{% macro spark__lk_last_value_ignore_nulls(expression) -%}last_value({{ expression }}, true){%- endmacro %}

{#- A 64-bit hash of the comma-separated SQL expressions `expressions` (equal values, equal hash;
    different values may collide, so a caller checks the values behind a match). -#}
{% macro lk_row_hash(expressions) -%}
    {{ return(adapter.dispatch('lk_row_hash')(expressions)) }}
{%- endmacro %}
{% macro default__lk_row_hash(expressions) -%}hash({{ expressions }}){%- endmacro %}
{% macro spark__lk_row_hash(expressions) -%}xxhash64({{ expressions }}){%- endmacro %}
