-- What counted toward each key result's value on its latest row (fct_key_result_progress
-- is_latest): the links, referring domains, keywords or pages, each with its facts as JSON text.
-- The row's date is not repeated on every member: it moves every day, and a column that changes
-- on every row would make each publish of the serving copy rewrite the whole table.
-- Built from the same intermediate models as the values, so for a count metric the members are
-- exactly what is counted. A latest row without a value (no data yet, an incomplete traffic
-- window) has no members; domain_authority has none (the value is one vendor number).
with

latest as (
    select
        progress.kr_id,
        progress.date as as_of_date,
        key_results.site,
        key_results.metric,
        key_results.start_date,
        key_results.min_position,
        key_results.max_position
    from {{ ref('fct_key_result_progress') }} as progress
    inner join {{ ref('stg_config__key_results') }} as key_results using (kr_id)
    where progress.is_latest
      and progress.value is not null
),

-- The key result's own qualifying links, with the liveness and acquisition facts as of its date.
-- Each consumer below filters it first: inlined, it never holds every link of every key result.
own_links as {{ lk_not_materialized() }} (
    select
        latest.kr_id,
        latest.metric,
        latest.as_of_date,
        latest.start_date,
        links.link_site,
        links.backlink_id,
        links.source_domain,
        links.first_seen_date,
        links.lost_date,
        links.quality_tier,
        links.authority_score,
        links.was_domain_linked_before_start,
        links.first_seen_date <= latest.as_of_date
            and (links.lost_date is null or links.lost_date > latest.as_of_date) as is_live,
        links.first_seen_date between latest.start_date and latest.as_of_date as is_acquired
    from latest
    inner join {{ ref('int_key_result_links') }} as links
        on links.kr_id = latest.kr_id
        and not links.is_competitor_link
),

-- Domains that were link-gap domains on start - 1 (competitor_gap_links_acquired), one row each.
gap_domains_before_start as (
    select gap_domains.kr_id, gap_domains.source_domain
    from {{ ref('int_key_result_gap_domains') }} as gap_domains
    inner join latest
        on latest.kr_id = gap_domains.kr_id
        and gap_domains.date = latest.start_date - 1
),

-- min_monthly_new_backlinks: its value is one month's count, so its members are that month's
-- links: the most recent month of those ended by t with the fewest links, or, before the first
-- month ends, the current month so far.
floor_months as (
    select
        latest.kr_id,
        period_days.day as month,
        last_day(period_days.day) <= latest.as_of_date as has_ended
    from latest
    {{ lk_unnest_join(
        lk_date_sequence("cast(date_trunc('month', latest.start_date) as date)", 'latest.as_of_date'),
        'period_days',
        'day'
    ) }}
    where latest.metric = 'min_monthly_new_backlinks'
      and extract(day from period_days.day) = 1
),

floor_month_counts as (
    select
        floor_months.kr_id,
        floor_months.month,
        floor_months.has_ended,
        count(own_links.backlink_id) as new_backlinks
    from floor_months
    left join own_links
        on own_links.kr_id = floor_months.kr_id
        and own_links.is_acquired
        and cast(date_trunc('month', own_links.first_seen_date) as date) = floor_months.month
    group by all
),

floor_month as (
    select kr_id, month
    from floor_month_counts
    where has_ended or not exists (
        select 1 from floor_month_counts as ended
        where ended.kr_id = floor_month_counts.kr_id and ended.has_ended
    )
    qualify row_number() over (partition by kr_id order by new_backlinks asc, month desc) = 1
),

-- The links that count (live on t for live_backlinks, else acquired), before their text columns
-- are looked up in fct_backlinks.
counted_links as (
    select
        own_links.kr_id,
        own_links.link_site,
        own_links.backlink_id,
        own_links.first_seen_date,
        floor_month.month,
        own_links.source_domain,
        own_links.lost_date,
        own_links.is_live,
        own_links.quality_tier,
        own_links.authority_score
    from own_links
    left join floor_month
        on floor_month.kr_id = own_links.kr_id
        and floor_month.month = cast(date_trunc('month', own_links.first_seen_date) as date)
    left join gap_domains_before_start as gap
        on gap.kr_id = own_links.kr_id
        and gap.source_domain = own_links.source_domain
    where (own_links.metric = 'live_backlinks' and own_links.is_live)
       or (
           own_links.is_acquired
           and (
               own_links.metric = 'backlinks_acquired'
               or (own_links.metric = 'min_monthly_new_backlinks' and floor_month.month is not null)
               or (own_links.metric = 'competitor_gap_links_acquired' and gap.source_domain is not null)
           )
       )
),

backlink_members as (
    select
        counted_links.kr_id,
        counted_links.backlink_id as member_id,
        counted_links.first_seen_date,
        counted_links.month,
        backlinks.source_url,
        counted_links.source_domain,
        backlinks.target_page,
        backlinks.anchor,
        counted_links.lost_date,
        counted_links.is_live,
        counted_links.quality_tier,
        counted_links.authority_score,
        backlinks.authority_source,
        backlinks.is_followed,
        backlinks.is_relevant,
        backlinks.placement,
        backlinks.anchor_type
    from counted_links
    inner join {{ ref('fct_backlinks') }} as backlinks
        on backlinks.site = counted_links.link_site
        and backlinks.backlink_id = counted_links.backlink_id
),

-- referring_domains: live on t; referring_domains_acquired: a link acquired in the period from a
-- domain that had no live link to the site on start - 1. Facts are over the links that counted.
domain_members as (
    select
        kr_id,
        source_domain as member_id,
        count(*) as backlinks,
        min(first_seen_date) as first_seen_date,
        max(authority_score) as best_authority_score,
        {{ tier_of_rank('cast(min(' ~ tier_rank('quality_tier') ~ ') as integer)') }} as best_quality_tier
    from own_links
    where (metric = 'referring_domains' and is_live)
       or (
           metric = 'referring_domains_acquired'
           and is_acquired
           and not was_domain_linked_before_start
       )
    group by kr_id, source_domain
),

gap_members as (
    select
        gap_domains.kr_id,
        gap_domains.source_domain as member_id,
        gap_domains.competitors,
        gap_domains.competitor_links,
        gap_domains.best_authority_score
    from {{ ref('int_key_result_gap_domains') }} as gap_domains
    inner join latest
        on latest.kr_id = gap_domains.kr_id
        and gap_domains.date = latest.as_of_date
    where latest.metric = 'link_gap_opportunities'
),

keyword_members as (
    select
        keyword_positions.kr_id,
        keyword_positions.keyword as member_id,
        keyword_positions.mean_position,
        keyword_positions.source_days,
        keyword_positions.ranked_days
    from {{ ref('int_key_result_keyword_positions') }} as keyword_positions
    inner join latest
        on latest.kr_id = keyword_positions.kr_id
        and keyword_positions.date = latest.as_of_date
),

ranked_page_members as (
    select
        page_positions.kr_id,
        page_positions.page as member_id,
        page_positions.best_keyword,
        page_positions.best_position,
        page_positions.keywords_ranked
    from {{ ref('int_key_result_page_positions') }} as page_positions
    inner join latest
        on latest.kr_id = page_positions.kr_id
        and page_positions.date = latest.as_of_date
    where page_positions.best_position between latest.min_position and latest.max_position
),

-- Traffic: the pages with organic rows in the window t - 27 .. t, and for the change metrics also
-- those only in the base window (start - 28 .. start - 1), so a page that lost its traffic shows.
traffic_page_windows as (
    select
        organic_pages.kr_id,
        organic_pages.page,
        latest.metric,
        organic_pages.date between latest.as_of_date - 27 and latest.as_of_date as is_in_window,
        organic_pages.date between latest.start_date - 28 and latest.start_date - 1 as is_in_base,
        organic_pages.sessions,
        organic_pages.key_events,
        organic_pages.transactions,
        organic_pages.revenue
    from {{ ref('int_key_result_organic_pages') }} as organic_pages
    inner join latest on latest.kr_id = organic_pages.kr_id
),

traffic_members as (
    select
        kr_id,
        page as member_id,
        coalesce(sum(sessions) filter (where is_in_window), 0) as sessions,
        coalesce(sum(key_events) filter (where is_in_window), 0) as key_events,
        coalesce(sum(transactions) filter (where is_in_window), 0) as transactions,
        round(coalesce(sum(revenue) filter (where is_in_window), 0), 2) as revenue,
        case when any_value(metric) <> 'organic_sessions' then {{ lk_struct({
            'sessions': 'coalesce(sum(sessions) filter (where is_in_base), 0)',
            'key_events': 'coalesce(sum(key_events) filter (where is_in_base), 0)',
            'transactions': 'coalesce(sum(transactions) filter (where is_in_base), 0)',
            'revenue': 'round(coalesce(sum(revenue) filter (where is_in_base), 0), 2)',
        }) }} end as base_window
    from traffic_page_windows
    where is_in_window or (is_in_base and metric <> 'organic_sessions')
    group by kr_id, page
),

members as (
    select
        kr_id,
        'backlink' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'source_url': 'source_url',
            'source_domain': 'source_domain',
            'target_page': 'target_page',
            'anchor': 'anchor',
            'first_seen_date': 'first_seen_date',
            'lost_date': 'lost_date',
            'is_live': 'is_live',
            'quality_tier': 'quality_tier',
            'authority_score': 'authority_score',
            'authority_source': 'authority_source',
            'is_followed': 'is_followed',
            'is_relevant': 'is_relevant',
            'month': 'month',
            'placement': 'placement',
            'anchor_type': 'anchor_type',
        }) }} as detail
    from backlink_members

    union all

    select
        kr_id,
        'referring_domain' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'backlinks': 'backlinks',
            'first_seen_date': 'first_seen_date',
            'best_authority_score': 'best_authority_score',
            'best_quality_tier': 'best_quality_tier',
        }) }} as detail
    from domain_members

    union all

    select
        kr_id,
        'referring_domain' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'competitors': 'competitors',
            'competitor_links': 'competitor_links',
            'best_authority_score': 'best_authority_score',
        }) }} as detail
    from gap_members

    union all

    select
        kr_id,
        'keyword' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'mean_position': 'mean_position',
            'source_days': 'source_days',
            'ranked_days': 'ranked_days',
        }) }} as detail
    from keyword_members

    union all

    select
        kr_id,
        'page' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'best_keyword': 'best_keyword',
            'best_position': 'best_position',
            'keywords_ranked': 'keywords_ranked',
        }) }} as detail
    from ranked_page_members

    union all

    select
        kr_id,
        'page' as member_type,
        member_id,
        {{ lk_struct_to_json({
            'sessions': 'sessions',
            'key_events': 'key_events',
            'transactions': 'transactions',
            'revenue': 'revenue',
            'base_window': 'base_window',
        }) }} as detail
    from traffic_members
)

select
    members.kr_id,
    members.member_type,
    members.member_id,
    latest.site,
    latest.metric,
    members.detail
from members
inner join latest using (kr_id)
