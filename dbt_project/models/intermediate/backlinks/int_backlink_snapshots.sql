-- One row per vendor snapshot of a site: how many live links it holds, and whether it is a full
-- export. A snapshot holding fewer than half the previous snapshot's live links is partial: it
-- adds and updates links but never removes them (warehouse.md, "Backlink life").
with

observations as (
    select
        *,
        coalesce(is_site_target and not is_internal, false) as is_counted,
    from {{ ref('int_backlink_observations') }}
),

-- Rows pointing at another site than the snapshot's, and internal links, are left out of every
-- mart; they are counted here so a mis-filed export shows up.
snapshots as (
    select
        vendor,
        site,
        snapshot_date,
        count(*) filter (where is_counted) as links,
        count(*) filter (where is_counted and is_live_in_snapshot) as live_links,
        count(*) filter (where not coalesce(is_site_target, false)) as rows_other_target,
        count(*) filter (where is_site_target and is_internal) as rows_internal,
    from observations
    group by vendor, site, snapshot_date
),

with_previous as (
    select
        *,
        lag(live_links) over (partition by vendor, site order by snapshot_date) as previous_live_links,
    from snapshots
)

select
    *,
    previous_live_links is null or live_links >= 0.5 * previous_live_links as is_full,
from with_previous
