-- Why each key result moved: as of its latest row with a value (fct_key_result_progress
-- is_latest, the day fct_key_result_members is taken on), what changed over the last 7 and 30
-- days. Link metrics: the qualifying links won and lost; competitor_gap_links_acquired: the links
-- won and lost from the gap domains of start - 1; link_gap_opportunities: the gap domains that
-- appeared and closed; average_position: the keywords whose mean position moved most;
-- pages_in_position_range: the pages that entered or left the range, then the biggest movers;
-- organic_*: the pages whose 28-day sum moved most; domain_authority: the value then and now.
-- At most 10 rows per key result, window and movement, so the mart stays small whatever the data.
{%- set windows = [7, 30] %}
{%- set top_n = 10 %}
{%- set mover_columns = [
    'kr_id', 'window_days', 'movement', 'movement_rank', 'movement_count', 'member_type', 'member_id',
    'referring_domain', 'quality_tier', 'authority_score', 'source_url', 'target_page', 'event_date',
    'before_value', 'after_value', 'change',
] %}

with

latest as (
    select
        progress.kr_id,
        progress.date as as_of_date,
        progress.metric,
        progress.site,
        key_results.start_date,
        key_results.min_position,
        key_results.max_position
    from {{ ref('fct_key_result_progress') }} as progress
    inner join {{ ref('stg_config__key_results') }} as key_results using (kr_id)
    where progress.is_latest
      and progress.value is not null
),

windows as (
    select
        latest.*,
        window_lengths.window_days,
        latest.as_of_date - window_lengths.window_days as before_date
    from latest
    {{ lk_unnest_join(lk_array(windows), 'window_lengths', 'window_days') }}
),

-- Links -----------------------------------------------------------------------------------------

-- Domains that were gap domains on start - 1: only links from them count for
-- competitor_gap_links_acquired (as in its value and its members).
gap_domains_before_start as (
    select gap_domains.kr_id, gap_domains.source_domain
    from {{ ref('int_key_result_gap_domains') }} as gap_domains
    inner join latest
        on latest.kr_id = gap_domains.kr_id
        and gap_domains.date = latest.start_date - 1
    where latest.metric = 'competitor_gap_links_acquired'
),

-- The key result's own qualifying links won or lost within the longest window: one pass over
-- int_key_result_links (millions of rows for referring_domains at scale) before any join fans out.
recent_links as (
    select links.*
    from {{ ref('int_key_result_links') }} as links
    inner join latest on latest.kr_id = links.kr_id
    where not links.is_competitor_link
      and (
          links.first_seen_date > latest.as_of_date - {{ windows | max }}
          or links.lost_date > latest.as_of_date - {{ windows | max }}
      )
),

-- Each link event (won on first_seen_date, lost on lost_date) inside a window; the links are the
-- key result's own qualifying links, so a filter or page group narrows the movers as it narrows
-- the value.
link_events as (
    select
        windows.kr_id,
        windows.window_days,
        windows.as_of_date,
        events.movement,
        case events.movement
            when 'gained' then links.first_seen_date
            else links.lost_date
        end as event_date,
        links.link_site,
        links.backlink_id,
        links.source_domain,
        links.quality_tier,
        links.authority_score
    from windows
    cross join (values ('gained'), ('lost')) as events (movement)
    inner join recent_links as links
        on links.kr_id = windows.kr_id
    left join gap_domains_before_start as gap
        on gap.kr_id = windows.kr_id
        and gap.source_domain = links.source_domain
    where windows.metric in (
        'referring_domains', 'live_backlinks', 'backlinks_acquired',
        'referring_domains_acquired', 'min_monthly_new_backlinks', 'competitor_gap_links_acquired'
    )
      and (windows.metric <> 'competitor_gap_links_acquired' or gap.source_domain is not null)
      and case events.movement
          when 'gained' then links.first_seen_date
          else links.lost_date
      end between windows.before_date + 1 and windows.as_of_date
),

-- Best links first: tier, then authority, then the most recent.
top_link_events as (
    select
        *,
        row_number() over (
            partition by kr_id, window_days, movement
            order by
                {{ tier_rank("quality_tier") }} asc nulls last,
                authority_score desc nulls last,
                event_date desc,
                backlink_id asc
        ) as movement_rank,
        count(*) over (partition by kr_id, window_days, movement) as movement_count
    from link_events
    qualify movement_rank <= {{ top_n }}
),

link_movers as (
    select
        top_link_events.kr_id,
        top_link_events.window_days,
        top_link_events.movement,
        top_link_events.movement_rank,
        top_link_events.movement_count,
        'backlink' as member_type,
        top_link_events.backlink_id as member_id,
        top_link_events.source_domain as referring_domain,
        top_link_events.quality_tier,
        top_link_events.authority_score,
        backlinks.source_url,
        backlinks.target_page,
        top_link_events.event_date,
        cast(null as double) as before_value,
        cast(null as double) as after_value,
        cast(null as double) as change
    from top_link_events
    inner join {{ ref('fct_backlinks') }} as backlinks
        on backlinks.site = top_link_events.link_site
        and backlinks.backlink_id = top_link_events.backlink_id
),

-- Gap domains -----------------------------------------------------------------------------------

gap_domains as (
    select gap_domains.*
    from {{ ref('int_key_result_gap_domains') }} as gap_domains
    semi join latest
        on latest.kr_id = gap_domains.kr_id
        and latest.metric = 'link_gap_opportunities'
),

gap_domains_now as (
    select
        windows.kr_id,
        windows.window_days,
        gap_domains.source_domain,
        gap_domains.best_authority_score,
        gap_domains.competitor_links
    from windows
    inner join gap_domains
        on gap_domains.kr_id = windows.kr_id
        and gap_domains.date = windows.as_of_date
),

gap_domains_then as (
    select
        windows.kr_id,
        windows.window_days,
        gap_domains.source_domain,
        gap_domains.best_authority_score,
        gap_domains.competitor_links
    from windows
    inner join gap_domains
        on gap_domains.kr_id = windows.kr_id
        and gap_domains.date = windows.before_date
),

-- A domain that is a gap domain now and was not then appeared (gained); one that was and is no
-- longer closed (lost): the site won a link from it, or the competitors lost theirs.
gap_domain_changes as (
    select
        coalesce(now_gap.kr_id, then_gap.kr_id) as kr_id,
        coalesce(now_gap.window_days, then_gap.window_days) as window_days,
        coalesce(now_gap.source_domain, then_gap.source_domain) as referring_domain,
        case when now_gap.source_domain is null then 'lost' else 'gained' end as movement,
        coalesce(now_gap.best_authority_score, then_gap.best_authority_score) as authority_score,
        then_gap.competitor_links as links_before,
        now_gap.competitor_links as links_now
    from gap_domains_now as now_gap
    full outer join gap_domains_then as then_gap
        on then_gap.kr_id = now_gap.kr_id
        and then_gap.window_days = now_gap.window_days
        and then_gap.source_domain = now_gap.source_domain
    where now_gap.source_domain is null or then_gap.source_domain is null
),

gap_movers as (
    select
        kr_id,
        window_days,
        movement,
        row_number() over (
            partition by kr_id, window_days, movement
            order by authority_score desc nulls last, referring_domain asc
        ) as movement_rank,
        count(*) over (partition by kr_id, window_days, movement) as movement_count,
        'referring_domain' as member_type,
        referring_domain as member_id,
        referring_domain,
        cast(null as string) as quality_tier,
        authority_score,
        cast(null as string) as source_url,
        cast(null as string) as target_page,
        cast(null as date) as event_date,
        cast(links_before as double) as before_value,
        cast(links_now as double) as after_value,
        cast(null as double) as change
    from gap_domain_changes
    qualify movement_rank <= {{ top_n }}
),

-- Rankings and traffic: a measure per member then and now ----------------------------------------

keyword_changes as (
    select
        windows.kr_id,
        windows.window_days,
        'keyword' as member_type,
        now_position.keyword as member_id,
        then_position.mean_position as before_value,
        now_position.mean_position as after_value,
        -- lower is better: a negative change in position is an improvement
        now_position.mean_position < then_position.mean_position as is_improvement
    from windows
    inner join {{ ref('int_key_result_keyword_positions') }} as now_position
        on now_position.kr_id = windows.kr_id
        and now_position.date = windows.as_of_date
    inner join {{ ref('int_key_result_keyword_positions') }} as then_position
        on then_position.kr_id = windows.kr_id
        and then_position.date = windows.before_date
        and then_position.keyword = now_position.keyword
    where windows.metric = 'average_position'
),

page_positions as (
    select page_positions.*
    from {{ ref('int_key_result_page_positions') }} as page_positions
    semi join latest
        on latest.kr_id = page_positions.kr_id
        and latest.metric = 'pages_in_position_range'
),

pages_now as (
    select windows.kr_id, windows.window_days, page_positions.page, page_positions.best_position
    from windows
    inner join page_positions
        on page_positions.kr_id = windows.kr_id
        and page_positions.date = windows.as_of_date
),

pages_then as (
    select windows.kr_id, windows.window_days, page_positions.page, page_positions.best_position
    from windows
    inner join page_positions
        on page_positions.kr_id = windows.kr_id
        and page_positions.date = windows.before_date
),

-- A page that left the range (or stopped ranking) is lost, one that entered it gained; a page in
-- the range both times moved within it.
page_changes as (
    select
        windows.kr_id,
        windows.window_days,
        'page' as member_type,
        page_pairs.page as member_id,
        page_pairs.before_value,
        page_pairs.after_value,
        coalesce(
            page_pairs.after_value between windows.min_position and windows.max_position, false
        ) as is_in_range_now,
        coalesce(
            page_pairs.before_value between windows.min_position and windows.max_position, false
        ) as was_in_range
    from (
        select
            coalesce(pages_now.kr_id, pages_then.kr_id) as kr_id,
            coalesce(pages_now.window_days, pages_then.window_days) as window_days,
            coalesce(pages_now.page, pages_then.page) as page,
            pages_then.best_position as before_value,
            pages_now.best_position as after_value
        from pages_now
        full outer join pages_then
            on pages_then.kr_id = pages_now.kr_id
            and pages_then.window_days = pages_now.window_days
            and pages_then.page = pages_now.page
    ) as page_pairs
    inner join windows
        on windows.kr_id = page_pairs.kr_id
        and windows.window_days = page_pairs.window_days
),

-- Traffic: each page's organic figure (the key result's own: sessions, key events, transactions
-- or revenue) summed over the 28 days to as_of_date against the 28 days to as_of_date - window.
traffic_pages as (
    select distinct organic_pages.kr_id, organic_pages.site, organic_pages.page
    from {{ ref('int_key_result_organic_pages') }} as organic_pages
    semi join latest on latest.kr_id = organic_pages.kr_id
),

traffic_sums as (
    select
        windows.kr_id,
        windows.window_days,
        traffic_pages.page,
        sum(case
            when windows.metric = 'organic_key_events_change_pct' then traffic.key_events
            when windows.metric = 'organic_revenue_change_pct' then traffic.revenue
            when windows.metric = 'organic_transactions_change_pct' then traffic.transactions
            else traffic.sessions
        end) filter (
            where traffic.date between windows.as_of_date - 27 and windows.as_of_date
        ) as after_value,
        sum(case
            when windows.metric = 'organic_key_events_change_pct' then traffic.key_events
            when windows.metric = 'organic_revenue_change_pct' then traffic.revenue
            when windows.metric = 'organic_transactions_change_pct' then traffic.transactions
            else traffic.sessions
        end) filter (
            where traffic.date between windows.before_date - 27 and windows.before_date
        ) as before_value
    from windows
    inner join traffic_pages on traffic_pages.kr_id = windows.kr_id
    inner join {{ ref('fct_page_traffic_daily') }} as traffic
        on traffic.site = traffic_pages.site
        and traffic.page = traffic_pages.page
        and traffic.channel_group = 'Organic Search'
        and traffic.date between windows.before_date - 27 and windows.as_of_date
    group by windows.kr_id, windows.window_days, traffic_pages.page
),

measure_changes as (
    select
        kr_id,
        window_days,
        member_type,
        member_id,
        before_value,
        after_value,
        case when is_improvement then 'improved' else 'worsened' end as movement
    from keyword_changes
    where after_value <> before_value

    union all

    select
        kr_id,
        window_days,
        member_type,
        member_id,
        before_value,
        after_value,
        case
            when is_in_range_now and not was_in_range then 'gained'
            when was_in_range and not is_in_range_now then 'lost'
            when after_value < before_value then 'improved'
            else 'worsened'
        end as movement
    from page_changes
    where (is_in_range_now or was_in_range)
      and (is_in_range_now <> was_in_range or after_value <> before_value)

    union all

    select
        kr_id,
        window_days,
        'page' as member_type,
        page as member_id,
        coalesce(before_value, 0) as before_value,
        coalesce(after_value, 0) as after_value,
        case
            when coalesce(after_value, 0) > coalesce(before_value, 0) then 'improved'
            else 'worsened'
        end as movement
    from traffic_sums
    where coalesce(after_value, 0) <> coalesce(before_value, 0)
),

measure_movers as (
    select
        kr_id,
        window_days,
        movement,
        row_number() over (
            partition by kr_id, window_days, movement
            order by abs(coalesce(after_value, 0) - coalesce(before_value, 0)) desc, member_id asc
        ) as movement_rank,
        count(*) over (partition by kr_id, window_days, movement) as movement_count,
        member_type,
        member_id,
        cast(null as string) as referring_domain,
        cast(null as string) as quality_tier,
        cast(null as double) as authority_score,
        cast(null as string) as source_url,
        cast(null as string) as target_page,
        cast(null as date) as event_date,
        before_value,
        after_value,
        after_value - before_value as change
    from measure_changes
    qualify movement_rank <= {{ top_n }}
),

-- Domain authority: one number for the site, then and now.
authority_movers as (
    select
        windows.kr_id,
        windows.window_days,
        case
            when now_value.value > then_value.value then 'improved'
            when now_value.value < then_value.value then 'worsened'
            else 'unchanged'
        end as movement,
        1 as movement_rank,
        1 as movement_count,
        'site' as member_type,
        windows.site as member_id,
        cast(null as string) as referring_domain,
        cast(null as string) as quality_tier,
        cast(null as double) as authority_score,
        cast(null as string) as source_url,
        cast(null as string) as target_page,
        cast(null as date) as event_date,
        then_value.value as before_value,
        now_value.value as after_value,
        now_value.value - then_value.value as change
    from windows
    inner join {{ ref('int_key_result_values') }} as now_value
        on now_value.kr_id = windows.kr_id
        and now_value.date = windows.as_of_date
    inner join {{ ref('int_key_result_values') }} as then_value
        on then_value.kr_id = windows.kr_id
        and then_value.date = windows.before_date
    where windows.metric = 'domain_authority'
      and now_value.value is not null
      and then_value.value is not null
),

-- The four kinds of movers have the same columns, listed once above.
movers as (
    {%- for kind in ['link_movers', 'gap_movers', 'measure_movers', 'authority_movers'] %}
    select {{ mover_columns | join(', ') }}
    from {{ kind }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select
    movers.kr_id,
    latest.site,
    latest.metric,
    latest.as_of_date,
    cast(movers.window_days as integer) as window_days,
    movers.movement,
    cast(movers.movement_rank as integer) as movement_rank,
    cast(movers.movement_count as bigint) as movement_count,
    movers.member_type,
    movers.member_id,
    movers.referring_domain,
    movers.quality_tier,
    movers.authority_score,
    movers.source_url,
    movers.target_page,
    movers.event_date,
    movers.before_value,
    movers.after_value,
    movers.change
from movers
inner join latest using (kr_id)
