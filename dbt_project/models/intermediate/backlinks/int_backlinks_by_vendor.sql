-- Per vendor first: a link's values come from that vendor's latest snapshot holding it; its first
-- seen, last live sighting and loss date follow the backlink-life rules of warehouse.md.
with

observations as (
    select * from {{ ref('int_backlink_observations') }}
    where is_site_target and not is_internal
),

snapshots as (
    select * from {{ ref('int_backlink_snapshots') }}
),

history as (
    select
        vendor,
        site,
        backlink_id,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        max(snapshot_date) filter (where is_live_in_snapshot) as last_live_snapshot_date,
        min(first_seen_date) as reported_first_seen_date,
        max(last_seen_date) as last_seen_date,
        string_agg(distinct lower(concat_ws(' ', source_title, source_url, anchor, source_topic)), ' ')
            as relevance_text,
    from observations
    group by vendor, site, backlink_id
),

latest as (
    select *
    from observations
    qualify row_number() over (
        partition by vendor, site, backlink_id order by snapshot_date desc, loaded_at desc
    ) = 1
),

-- The first full snapshot of the same vendor and site after the last one holding the link.
disappeared as (
    select
        history.vendor,
        history.site,
        history.backlink_id,
        min(snapshots.snapshot_date) as disappeared_date,
    from history
    inner join snapshots
        on snapshots.vendor = history.vendor
        and snapshots.site = history.site
        and snapshots.snapshot_date > history.last_snapshot_date
        and snapshots.is_full
    group by all
)

select
    latest.vendor,
    latest.site,
    latest.backlink_id,
    latest.source_url,
    latest.source_page,
    latest.source_domain,
    latest.source_title,
    latest.target_url,
    latest.target_page,
    latest.anchor,
    latest.authority_score,
    latest.authority_source,
    latest.spam_score,
    latest.is_nofollow,
    latest.is_ugc,
    latest.is_sponsored,
    latest.placement,
    latest.is_flagged_spam,
    history.relevance_text,
    coalesce(history.reported_first_seen_date, history.first_snapshot_date) as first_seen_date,
    history.last_seen_date,
    coalesce(latest.lost_date, disappeared.disappeared_date) as lost_date,
    history.last_live_snapshot_date,
    history.first_snapshot_date,
    history.last_snapshot_date,
from latest
inner join history using (vendor, site, backlink_id)
left join disappeared using (vendor, site, backlink_id)
