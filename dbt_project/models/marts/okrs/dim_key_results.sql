with

key_results as (
    select * from {{ ref('stg_config__key_results') }}
),

final as (
    select
        kr_id,
        objective_id,
        objective_title,
        objective_owner,
        site,
        key_result_id,
        title,
        owner,
        metric,
        direction,
        unit,
        baseline,
        target,
        start_date,
        end_date,
        cast({{ lk_days_between('start_date', 'end_date') }} + 1 as bigint) as period_days,
        milestones,
        page_group,
        keyword_set,
        source,
        min_position,
        max_position,
        competitor,
        authority_metric,
        filters,
        min_authority,
        tiers,
        followed_only,
        relevant_only,
        exclude_toxic,
        check_name
    from key_results
)

select * from final
