with

source as (
    select * from {{ source('config', 'config_key_results') }}
),

renamed as (
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
        lower(direction) as direction,
        unit,
        cast(baseline as double) as baseline,
        cast(target as double) as target,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        milestones,
        page_group,
        keyword_set,
        source.source,
        cast(min_position as double) as min_position,
        cast(max_position as double) as max_position,
        competitor,
        authority_metric,
        filters,
        cast(min_authority as double) as min_authority,
        tiers,
        followed_only,
        relevant_only,
        exclude_toxic,
        placements,
        anchor_types,
        check_name
    from source
)

select * from renamed
