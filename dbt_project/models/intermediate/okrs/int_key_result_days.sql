-- One row per key result and day from start - 1 through min(end, last data date); none for a key
-- result whose source has no data (the progress model then reports `no_data`).
with

spans as (
    select * from {{ ref('int_key_result_spans') }}
    -- also drops a period that ends before start - 1: Spark's date sequence fails on it
    where last_data_date is not null
      and least(end_date, last_data_date) >= start_date - 1
)

select
    spans.kr_id,
    spans.site,
    spans.metric,
    spans.family,
    spans.rank_source,
    spans.start_date,
    spans.end_date,
    spans.last_data_date,
    cast(day as date) as date
from spans
{{ lk_unnest_join(
    lk_date_sequence('spans.start_date - 1', 'least(spans.end_date, spans.last_data_date)'), 'days', 'day'
) }}
