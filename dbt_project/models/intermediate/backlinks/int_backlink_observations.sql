-- One row per vendor, snapshot and backlink: what that snapshot says about the link.
-- Rows whose target is not the snapshot's site, and internal links, are flagged here and left
-- out of everything downstream.
-- Incremental by snapshot: a run rebuilds the (vendor, site, snapshot date) snapshots that got
-- rows since the last build (a second file of the same snapshot is deduplicated with the first).
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['vendor', 'site', 'snapshot_date'],
) }}
with

{% if is_incremental() %}
touched_snapshots as (
    select distinct vendor, site, snapshot_date
    from {{ ref('int_backlinks_unioned') }}
    where {{ loaded_after_last_build() }}
),

unioned as {{ lk_not_materialized() }} (
    select unioned.*
    from {{ ref('int_backlinks_unioned') }} as unioned
    semi join touched_snapshots
        on touched_snapshots.vendor = unioned.vendor
        and touched_snapshots.site = unioned.site
        and touched_snapshots.snapshot_date = unioned.snapshot_date
),
{% else %}
unioned as {{ lk_not_materialized() }} (
    select * from {{ ref('int_backlinks_unioned') }}
),
{% endif %}

-- Read three times below, each time inlined: a materialized copy would hold every column of
-- every row.
keyed as {{ lk_not_materialized() }} (
    select
        *,
        {{ backlink_id('source_page', 'target_page') }} as backlink_id,
        lost_date is null or lost_date > snapshot_date as is_live_in_snapshot
    from unioned
),

-- A snapshot may list the same page pair more than once (several anchors): keep one, live first.
-- The file breaks a tie (two files of a snapshot loaded together), so both engines keep the same.
-- Few pairs are listed twice, and only their rows are sorted: a window over every row, with all
-- its columns, was most of the model's time (43 s of CPU at 9M rows).
repeated as (
    select vendor, site, snapshot_date, backlink_id
    from keyed
    group by vendor, site, snapshot_date, backlink_id
    having count(*) > 1
),

deduplicated as (
    select *
    from keyed
    anti join repeated using (vendor, site, snapshot_date, backlink_id)

    union all

    select *
    from (
        select *
        from keyed
        semi join repeated using (vendor, site, snapshot_date, backlink_id)
    ) as repeated_rows
    qualify row_number() over (
        partition by vendor, site, snapshot_date, backlink_id
        order by
            is_live_in_snapshot desc,
            loaded_at desc,
            row_number asc nulls last,
            file_sha256 asc nulls last
    ) = 1
),

hosts as (
    select * from {{ ref('int_host_domains') }}
),

with_domains as (
    select
        deduplicated.*,
        source_hosts.registrable_domain as source_domain,
        target_hosts.registrable_domain as target_domain
    from deduplicated
    left join hosts as source_hosts on deduplicated.source_host = source_hosts.host
    left join hosts as target_hosts on deduplicated.target_host = target_hosts.host
)

select
    *,
    target_domain = site as is_site_target,
    source_domain = site as is_internal
from with_domains
