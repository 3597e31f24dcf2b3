-- Per vendor first: a link's values come from that vendor's latest snapshot holding it; its first
-- seen, last live sighting and loss date follow the backlink-life rules of docs/warehouse.md.
-- Incremental by link: a run recomputes only the links a newly loaded snapshot can change (the
-- links it holds, and the links whose loss date a new full snapshot may set); every other link
-- keeps its row. At 5M links a one-day partial export costs seconds instead of a minute; a full
-- export, which recomputes most links, writes the table again (lk_delete_insert).
{{ config(
    materialized=lk_incremental_materialized(),
    incremental_strategy='lk_delete_insert',
    unique_key=['vendor', 'site', 'backlink_id'],
) }}
{#- The descriptive text the relevance topics are looked for in, of an observation and of the latest. -#}
{%- set relevance_columns = ['source_title', 'source_url', 'anchor', 'source_topic'] %}
{%- set relevance_part = "lower(concat_ws(' ', " ~ relevance_columns | join(', ') ~ "))" %}
{%- set latest_relevance_part = "lower(concat_ws(' ', latest." ~ relevance_columns | join(', latest.') ~ "))" %}
{%- set output_columns = [
    'vendor', 'site', 'backlink_id', 'source_url', 'source_page', 'source_domain', 'source_title',
    'target_url', 'target_page', 'anchor', 'authority_score', 'authority_source', 'spam_score',
    'is_nofollow', 'is_ugc', 'is_sponsored', 'placement', 'is_flagged_spam', 'relevance_text',
    'first_seen_date', 'last_seen_date', 'lost_date', 'disappeared_date', 'last_live_snapshot_date',
    'first_snapshot_date', 'last_snapshot_date', 'loaded_at',
] %}
with

-- Inlined: DuckDB would otherwise materialize this CTE (it has several readers), copying every
-- observation with all its columns (9M rows, 9.7 GB spilled at 5M links) before the filters
-- below pick the few links a daily export touches: 12 s against 1 s.
all_observations as {{ lk_not_materialized() }} (
    select * from {{ ref('int_backlink_observations') }}
    where is_site_target and not is_internal
),

snapshots as (
    select * from {{ ref('int_backlink_snapshots') }}
),

{% if is_incremental() %}
-- Snapshots that got rows since the last build, and the newest load among them.
touched_snapshots as (
    select vendor, site, snapshot_date, max(loaded_at) as loaded_at
    from {{ ref('int_backlink_observations') }}
    where {{ loaded_after_last_build() }}
    group by vendor, site, snapshot_date
),

-- Whether a snapshot is full depends on the full snapshots before it, so new rows in a snapshot
-- can change the fullness of that snapshot and of every later one, and with it the loss dates
-- from the earliest touched snapshot on. Not when the only touched snapshot is a partial one
-- with nothing after it (a daily export of new links): then only the links it holds change.
refullness as (
    select
        touched.vendor,
        touched.site,
        min(touched.snapshot_date) as from_date
    from touched_snapshots as touched
    inner join snapshots
        on snapshots.vendor = touched.vendor
        and snapshots.site = touched.site
        and (
            (snapshots.snapshot_date = touched.snapshot_date and snapshots.is_full)
            or snapshots.snapshot_date > touched.snapshot_date
        )
    group by touched.vendor, touched.site
),

affected as (
    select vendor, site, backlink_id
    from all_observations
    semi join touched_snapshots using (vendor, site, snapshot_date)
    {%- if relation_has_column(this, 'disappeared_date') %}
    union
    select built.vendor, built.site, built.backlink_id
    from {{ this }} as built
    inner join refullness
        on refullness.vendor = built.vendor
        and refullness.site = built.site
    where built.disappeared_date is null or built.disappeared_date >= refullness.from_date
    {%- endif %}
),

observations as {{ lk_not_materialized() }} (
    select *
    from all_observations
    semi join affected using (vendor, site, backlink_id)
),
{% else %}
observations as {{ lk_not_materialized() }} (
    select * from all_observations
),
{% endif %}

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
        -- whether the link's descriptive text is the same in all its snapshots (below)
        min({{ lk_row_hash(relevance_part) }}) as min_relevance_hash,
        max({{ lk_row_hash(relevance_part) }}) as max_relevance_hash,
        max(loaded_at) as loaded_at
    from observations
    group by vendor, site, backlink_id
),

-- The first full snapshot of the same vendor and site after the last one holding the link.
disappeared as (
    select
        history.vendor,
        history.site,
        history.backlink_id,
        min(snapshots.snapshot_date) as disappeared_date
    from history
    inner join snapshots
        on snapshots.vendor = history.vendor
        and snapshots.site = history.site
        and snapshots.snapshot_date > history.last_snapshot_date
        and snapshots.is_full
    group by all
),

-- The link's values from its latest snapshot, its life from all of them.
resolved as {{ lk_not_materialized() }} (
    select
        history.vendor,
        history.site,
        history.backlink_id,
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
        -- the text of the latest snapshot: the link's text when it is the same in all of them
        {{ latest_relevance_part }} as relevance_text,
        coalesce(history.reported_first_seen_date, history.first_snapshot_date) as first_seen_date,
        history.last_seen_date,
        coalesce(latest.lost_date, disappeared.disappeared_date) as lost_date,
        disappeared.disappeared_date,
        history.last_live_snapshot_date,
        history.first_snapshot_date,
        history.last_snapshot_date,
        {% if is_incremental() -%}
        -- a link recomputed because a later snapshot left it out carries that snapshot's load
        (select max(loaded_at) from touched_snapshots) as loaded_at
        {%- else -%}
        history.loaded_at
        {%- endif %},
        history.min_relevance_hash = history.max_relevance_hash as has_one_text
    from history
    -- the link's row in its latest snapshot (one per snapshot: int_backlink_observations), found by
    -- a join on the date: sorting every observation by date (a window) took longer at 20M links
    inner join observations as latest
        on latest.vendor = history.vendor
        and latest.site = history.site
        and latest.backlink_id = history.backlink_id
        and latest.snapshot_date = history.last_snapshot_date
    left join disappeared
        on disappeared.vendor = history.vendor
        and disappeared.site = history.site
        and disappeared.backlink_id = history.backlink_id
),

-- The link's descriptive text, for the relevance topics: its distinct texts over its snapshots,
-- in order, so a link rebuilt incrementally gets the same text as in a full rebuild. Most links
-- keep one text in every snapshot (one hash above), which is then the latest one's; only the
-- others collect theirs here. A list of every link's texts in the aggregate above was two thirds
-- of this model's time (21.6 s against 7.5 s on 9M observations). Two different texts of one link
-- with the same 64-bit hash would be taken for one: about one chance in 10^12 at 16M links.
varied_links as (
    select vendor, site, backlink_id
    from history
    where min_relevance_hash <> max_relevance_hash
),

varied_texts as (
    select
        vendor,
        site,
        backlink_id,
        {{ lk_string_agg_distinct(relevance_part, "' '") }} as relevance_text
    from observations
    semi join varied_links using (vendor, site, backlink_id)
    group by vendor, site, backlink_id
)

select {{ output_columns | join(', ') }}
from resolved
where has_one_text

union all

select
    {%- for column in output_columns %}
    {{ 'varied_texts.relevance_text' if column == 'relevance_text' else 'resolved.' ~ column }}
    {{- ',' if not loop.last }}
    {%- endfor %}
from resolved
inner join varied_texts
    on varied_texts.vendor = resolved.vendor
    and varied_texts.site = resolved.site
    and varied_texts.backlink_id = resolved.backlink_id
where not resolved.has_one_text
