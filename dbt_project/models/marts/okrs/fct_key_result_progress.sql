{#-
    Daily progress, pacing, status and projection of every key result (docs/config.md, "Progress,
    pacing, status"). "Today" is the `as_of_date` var when set, so tests and backfills can pin it.
-#}
{%- set as_of_date = var('as_of_date', none) -%}
{%- if as_of_date -%}
    {#- Parsed here so a malformed date fails the run instead of reaching the SQL text. -#}
    {%- set as_of = modules.datetime.date.fromisoformat(as_of_date | string) -%}
    {%- set today_sql = "date '" ~ as_of.isoformat() ~ "'" -%}
{%- else -%}
    {%- set today_sql = 'current_date' -%}
{%- endif -%}

with

key_results as (
    select * from {{ ref('stg_config__key_results') }}
),

settings as (
    select * from {{ ref('stg_config__settings') }}
),

key_result_values as (
    select * from {{ ref('int_key_result_values') }}
),

data_ranges as (
    select
        kr_id,
        max(last_data_date) as last_data_date
    from key_result_values
    group by kr_id
),

periods as (
    select
        key_results.kr_id,
        key_results.objective_id,
        key_results.site,
        key_results.metric,
        key_results.title,
        key_results.direction,
        key_results.baseline as configured_baseline,
        key_results.target,
        key_results.start_date,
        key_results.end_date,
        key_results.milestones,
        key_results.metric = 'min_monthly_new_backlinks' as is_floor,
        data_ranges.last_data_date,
        data_ranges.last_data_date is not null as has_data,
        {{ today_sql }} as today_date,
        -- Not started: no day of the period has data yet, or the period lies after "today".
        -- Such a key result gets the same single placeholder row as one without any data.
        (
            data_ranges.last_data_date is null
            or key_results.start_date > data_ranges.last_data_date
            or key_results.start_date > {{ today_sql }}
        ) as is_not_started
    from key_results
    left join data_ranges
        on key_results.kr_id = data_ranges.kr_id
),

days as (
    select
        periods.kr_id,
        day_series.day_at as date,
        cast(date_trunc('month', day_series.day_at) as date) as month_start
    from periods
    {{ lk_unnest_join(
        lk_date_sequence(
            'periods.start_date',
            'case when periods.is_not_started then periods.start_date
                else least(periods.end_date, periods.last_data_date) end'
        ),
        'day_series',
        'day_at'
    ) }}
),

observed_baselines as (
    select
        periods.kr_id,
        max(key_result_values.value) filter (
            where key_result_values.date = periods.start_date - 1
        ) as value_before_start,
        min_by(key_result_values.value, key_result_values.date) filter (
            where not periods.is_not_started
                and key_result_values.value is not null
                and key_result_values.date
                    between periods.start_date and least(periods.end_date, periods.last_data_date)
        ) as first_value_in_period
    from periods
    left join key_result_values
        on periods.kr_id = key_result_values.kr_id
    group by periods.kr_id
),

baselines as (
    select
        periods.kr_id,
        coalesce(
            periods.configured_baseline,
            -- The *_change_pct metrics measure change against start - 1 (docs/config.md).
            case when right(periods.metric, 11) = '_change_pct' then 0 end,
            observed_baselines.value_before_start,
            observed_baselines.first_value_in_period
        ) as baseline
    from periods
    inner join observed_baselines
        on periods.kr_id = observed_baselines.kr_id
),

-- Points the expected value is interpolated through: (start - 1, baseline), the milestones
-- inside the period, (end, target).
configured_milestones as (
    select
        periods.kr_id,
        periods.start_date,
        periods.end_date,
        configured.milestone
    from periods
    {{ lk_unnest_join('periods.milestones', 'configured', 'milestone') }}
),

pacing_points as (
    select
        periods.kr_id,
        periods.start_date - 1 as point_date,
        baselines.baseline as point_value
    from periods
    inner join baselines
        on periods.kr_id = baselines.kr_id

    union all

    select
        kr_id,
        cast(milestone.date as date) as point_date,
        cast(milestone.value as double) as point_value
    from configured_milestones
    where milestone.date >= start_date
        and milestone.date < end_date
        and milestone.value is not null

    union all

    select
        kr_id,
        end_date as point_date,
        target as point_value
    from periods
),

-- The points on either side of each day: the latest on or before it, the earliest after it
-- (milestone dates are distinct, ascending in the config). A key result has a handful of
-- points, so joining every day to all of them stays small.
surrounding_points as (
    select
        days.kr_id,
        days.date,
        max(pacing_points.point_date) filter (
            where pacing_points.point_date <= days.date
        ) as previous_date,
        max_by(pacing_points.point_value, pacing_points.point_date) filter (
            where pacing_points.point_date <= days.date
        ) as previous_value,
        min(pacing_points.point_date) filter (
            where pacing_points.point_date > days.date
        ) as next_date,
        min_by(pacing_points.point_value, pacing_points.point_date) filter (
            where pacing_points.point_date > days.date
        ) as next_value
    from days
    inner join pacing_points
        on days.kr_id = pacing_points.kr_id
    group by days.kr_id, days.date
),

expected_values as (
    select
        kr_id,
        date,
        case
            when next_date is null then previous_value
            else previous_value
                + (next_value - previous_value)
                * {{ lk_days_between('previous_date', 'date') }}
                / {{ lk_days_between('previous_date', 'next_date') }}
        end as interpolated_value
    from surrounding_points
),

daily as (
    select
        days.kr_id,
        days.date,
        periods.objective_id,
        periods.site,
        periods.metric,
        periods.title,
        periods.direction,
        periods.is_floor,
        periods.has_data,
        periods.start_date,
        periods.end_date,
        periods.today_date,
        periods.last_data_date,
        case when not periods.is_not_started then key_result_values.value end as value,
        baselines.baseline,
        periods.target,
        case
            -- Before the first calendar month ends, a floor is pro-rated by the share of that
            -- month elapsed (counted from the start when the period starts mid-month).
            when periods.is_floor
                and days.month_start = cast(date_trunc('month', periods.start_date) as date)
                then periods.target
                    * ({{ lk_days_between('greatest(periods.start_date, days.month_start)', 'days.date') }} + 1)
                    / ({{ lk_days_between('days.month_start', 'last_day(days.date)') }} + 1)
            else periods.target
        end as effective_target,
        {{ lk_array_length('periods.milestones') }} > 0 as has_milestones,
        expected_values.interpolated_value,
        settings.on_track_threshold,
        settings.at_risk_threshold,
        settings.status_grace_days
    from days
    inner join periods
        on days.kr_id = periods.kr_id
    inner join baselines
        on days.kr_id = baselines.kr_id
    left join expected_values
        on days.kr_id = expected_values.kr_id
        and days.date = expected_values.date
    left join key_result_values
        on days.kr_id = key_result_values.kr_id
        and days.date = key_result_values.date
    cross join settings
),

progressed as (
    select
        *,
        case
            when direction = 'down' then value <= target
            else value >= target
        end as has_reached_target,
        case
            when value is null then null
            when is_floor and effective_target = 0 then 1.0
            when is_floor then value / effective_target
            when target = baseline
                then case when (direction = 'down' and value <= target)
                    or (direction <> 'down' and value >= target) then 1.0 else 0.0 end
            else (value - baseline) / (target - baseline)
        end as progress,
        case
            -- A floor is expected to be met every day, not climbed towards.
            when is_floor then 1.0
            when has_milestones and target <> baseline
                then (interpolated_value - baseline) / (target - baseline)
            else ({{ lk_days_between('start_date', 'date') }} + 1)
                / ({{ lk_days_between('start_date', 'end_date') }} + 1)
        end as expected_progress,
        -- One row per day, so 28 rows are the last 28 days; regr_slope skips null values.
        case
            when count(value) over last_28_days >= 2
                then regr_slope(value, {{ lk_days_between('start_date', 'date') }}) over last_28_days
            else 0
        end as slope_per_day,
        date = max(date) over (partition by kr_id) as is_latest
    from daily
    window last_28_days as (
        partition by kr_id
        order by date
        rows between 27 preceding and current row
    )
),

paced as (
    select
        *,
        case
            when is_floor then effective_target
            when has_milestones and target <> baseline then interpolated_value
            else baseline + expected_progress * (target - baseline)
        end as expected_value,
        progress / nullif(expected_progress, 0) as pace,
        value + slope_per_day * {{ lk_days_between('date', 'end_date') }} as projected_value
    from progressed
),

final as (
    select
        kr_id,
        date,
        objective_id,
        site,
        metric,
        title,
        direction,
        value,
        baseline,
        target,
        effective_target,
        progress,
        expected_value,
        expected_progress,
        pace,
        case
            when is_floor and date >= end_date and value >= target then 'achieved'
            when not is_floor and has_reached_target then 'achieved'
            -- A key result whose source has no data at all stays no_data (docs/config.md).
            when not has_data then 'no_data'
            when date >= end_date or (today_date > end_date and is_latest) then 'missed'
            when value is null then 'no_data'
            when date < start_date + status_grace_days then 'on_track'
            -- Rounded so a pace of exactly the threshold (0.36 / 0.4) is not lost to float noise.
            when round(pace, 9) >= on_track_threshold then 'on_track'
            -- Expected progress of 0 (a milestone at the baseline) leaves pace undefined.
            when expected_progress <= 0 and progress >= expected_progress then 'on_track'
            when round(pace, 9) >= at_risk_threshold then 'at_risk'
            else 'behind'
        end as status,
        slope_per_day,
        projected_value,
        case
            when projected_value is null then null
            when direction = 'down' and projected_value <= target then 'achieved'
            when direction <> 'down' and projected_value >= target then 'achieved'
            else 'missed'
        end as projected_status,
        cast({{ lk_days_between('date', 'end_date') }} as bigint) as days_remaining,
        last_data_date,
        is_latest,
        is_latest and (date >= end_date or today_date > end_date) as is_final
    from paced
),

-- One verdict a reader can act on: the status (pace against the expected line today) and the
-- projection (the 28-day trend carried to the end) read together, so "on track" next to a
-- forecast that misses becomes its own state instead of two badges that disagree.
verdicts as (
    select
        *,
        case
            when status in ('achieved', 'missed', 'no_data') then status
            when status = 'on_track' and projected_status = 'missed' then 'on_pace_trend_short'
            when status = 'on_track' then 'on_track'
            when projected_status = 'achieved' then 'behind_trend_recovers'
            else status
        end as verdict
    from final
)

select
    *,
    case verdict
        when 'achieved' then 'target reached'
        when 'missed' then 'period over, target not reached'
        when 'no_data' then 'no data yet'
        when 'on_track' then 'on pace, and the 28-day trend reaches the target'
        when 'on_pace_trend_short' then 'on pace today, but the 28-day trend ends short of the target'
        when 'behind_trend_recovers' then
            case status
                when 'at_risk' then 'a little behind pace today, but the 28-day trend reaches the target'
                else 'behind pace today, but the 28-day trend reaches the target'
            end
        when 'at_risk' then 'a little behind pace, and the 28-day trend ends short of the target'
        when 'behind' then 'behind pace, and the 28-day trend ends short of the target'
    end as verdict_label
from verdicts
