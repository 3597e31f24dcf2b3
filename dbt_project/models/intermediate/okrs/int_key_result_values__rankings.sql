-- Rank key results over 7-day means (docs/config.md): `average_position`, the mean over the keyword set of
-- each keyword's mean position (int_key_result_keyword_positions); `pages_in_position_range`, the
-- pages whose best keyword lies in the range (int_key_result_page_positions).
with

days as (
    select * from {{ ref('int_key_result_days') }}
    where family = 'rank'
),

key_results as (
    select kr_id, min_position, max_position from {{ ref('stg_config__key_results') }}
),

keyword_positions as (
    select * from {{ ref('int_key_result_keyword_positions') }}
),

page_positions as (
    select * from {{ ref('int_key_result_page_positions') }}
),

average_position as (
    select days.kr_id, days.date, avg(keyword_positions.mean_position) as value
    from days
    left join keyword_positions
        on keyword_positions.kr_id = days.kr_id and keyword_positions.date = days.date
    where days.metric = 'average_position'
    group by days.kr_id, days.date
),

pages_in_position_range as (
    select days.kr_id, days.date, count(page_positions.page) as value
    from days
    inner join key_results using (kr_id)
    left join page_positions
        on page_positions.kr_id = days.kr_id
        and page_positions.date = days.date
        and page_positions.best_position
            between key_results.min_position and key_results.max_position
    where days.metric = 'pages_in_position_range'
    group by days.kr_id, days.date
)

select kr_id, date, cast(value as double) as value from average_position
union all
select kr_id, date, cast(value as double) as value from pages_in_position_range
