-- One row per site and backlink, vendors merged (docs/warehouse.md, "Semantics the marts must follow").
-- Incremental by link: a run recomputes the links whose per-vendor rows changed since the last
-- build (`loaded_at`) and every link of a site whose classification rules changed
-- (int_backlink_rules vs int_backlink_rules_applied). A new snapshot moves the site's latest
-- snapshot date (dim_sites.latest_snapshot_date), and with it `is_live` of the links first seen
-- or lost in between: the post-hook updates those rows in place. Only those: the serving copy
-- rewrites the rows that changed, so a column that changed on every row each day would make
-- every publish a full one.
-- Where lk_incremental_materialized() says `table` (Spark's Parquet tables, without UPDATE or
-- DELETE), every build is a full one, whose rows already hold what the hooks would change: no hooks.
{#- int_backlink_rules_applied is built after this model, so it is looked up, not ref'd. -#}
{%- set found = namespace(applied_rules=none) -%}
{%- if execute -%}
    {%- for node in graph.get('nodes', {}).values()
        if node.resource_type == 'model' and node.name == 'int_backlink_rules_applied' -%}
        {%- set found.applied_rules = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- endfor -%}
{%- endif %}
{%- set materialized = lk_incremental_materialized() %}
{%- set vendor_order = lk_array(["'ahrefs'", "'semrush'", "'majestic'", "'moz'"]) %}
{{ config(
    materialized=materialized,
    incremental_strategy='delete+insert',
    unique_key=['site', 'backlink_id'],
    post_hook=["""
        update {{ this }} as backlinks
        set is_live = backlinks.first_seen_date <= latest_snapshot.latest_snapshot_date
            and (backlinks.lost_date is null
                 or backlinks.lost_date > latest_snapshot.latest_snapshot_date)
        from {{ latest_snapshot_dates() }} as latest_snapshot
        where latest_snapshot.site = backlinks.site
          and (backlinks.first_seen_date <= latest_snapshot.latest_snapshot_date
               and (backlinks.lost_date is null
                    or backlinks.lost_date > latest_snapshot.latest_snapshot_date))
              is distinct from backlinks.is_live
    """, "{{ delete_unconfigured_sites() }}"] if materialized == 'incremental' else [],
) }}
with

-- Inlined, not a materialized copy of every per-vendor row before the filter to the changed
-- links (5.5 s against 0.8 s on a daily export at 5M links).
all_by_vendor as {{ lk_not_materialized() }} (
    select * from {{ ref('int_backlinks_by_vendor') }}
),

rules as (
    select * from {{ ref('int_backlink_rules') }}
),

{% if is_incremental() %}
-- Sites whose rules differ from those of the last build (all of them when none were recorded).
reclassified_sites as (
    select rules.site
    from rules
    {%- if found.applied_rules is not none %}
    left join {{ found.applied_rules }} as applied using (site)
    where applied.rules is distinct from rules.rules
    {%- endif %}
),

changed as (
    select distinct site, backlink_id
    from all_by_vendor
    where {{ loaded_after_last_build() }}
    union
    select site, backlink_id
    from all_by_vendor
    semi join reclassified_sites using (site)
),

-- Read twice (the merge, the anchor texts): inlined, not materialized with all its columns.
by_vendor as {{ lk_not_materialized() }} (
    select *
    from all_by_vendor
    semi join changed using (site, backlink_id)
),
{% else %}
by_vendor as {{ lk_not_materialized() }} (
    select * from all_by_vendor
),
{% endif %}

settings as (
    select * from {{ ref('stg_config__settings') }}
),

latest_snapshot as (
    select * from {{ latest_snapshot_dates() }} as latest_snapshot_dates
),

-- Most links are in one vendor's index, and their merged row is that vendor's row: only the links
-- several vendors hold go through the merge below, a dozen min_by per link (at 5M links the merge
-- of every link took 24 s of the model's 28 s; the count that finds the shared ones takes 1 s).
shared_links as (
    select site, backlink_id
    from by_vendor
    group by site, backlink_id
    having count(*) > 1
),

ranked as (
    select
        by_vendor.*,
        -- placement and descriptive fields: ahrefs, semrush, majestic, moz
        {{ lk_array_position(vendor_order, 'vendor') }} as vendor_rank,
        -- the vendor order breaks ties between sources left out of authority_priority
        coalesce({{ lk_array_position('settings.authority_priority', 'authority_source') }}, 99) * 10
            + {{ lk_array_position(vendor_order, 'vendor') }} as authority_rank
    from by_vendor
    semi join shared_links using (site, backlink_id)
    cross join settings
),

merged as (
    select
        site,
        backlink_id,
        -- a vendor without the value gives way to the next (min_by alone would return its null)
        min_by(source_url, vendor_rank) filter (where source_url is not null) as source_url,
        min_by(source_page, vendor_rank) filter (where source_page is not null) as source_page,
        min_by(source_domain, vendor_rank) filter (where source_domain is not null) as source_domain,
        min_by(source_title, vendor_rank) filter (where source_title is not null) as source_title,
        min_by(target_url, vendor_rank) filter (where target_url is not null) as target_url,
        min_by(target_page, vendor_rank) filter (where target_page is not null) as target_page,
        min_by(anchor, vendor_rank) filter (where anchor is not null) as anchor,
        {{ lk_array_agg('vendor', order_by='vendor_rank') }} as vendors,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(lost_date) as latest_loss_date,
        max(last_live_snapshot_date) as last_live_snapshot_date,
        min_by(authority_score, authority_rank) filter (where authority_score is not null) as authority_score,
        min_by(authority_source, authority_rank) filter (where authority_score is not null) as authority_source,
        max(spam_score) as spam_score,
        bool_or(is_flagged_spam) as is_flagged_spam,
        bool_or(is_nofollow) as is_nofollow,
        bool_or(is_ugc) as is_ugc,
        bool_or(is_sponsored) as is_sponsored,
        coalesce(min_by(placement, vendor_rank) filter (where placement <> 'unknown'), 'unknown') as placement,
        -- in vendor order, so the text is the same on every engine and run
        {{ lk_string_agg('relevance_text', "' '", order_by='vendor_rank') }} as relevance_text,
        min(first_snapshot_date) as first_snapshot_date,
        max(last_snapshot_date) as last_snapshot_date,
        max(loaded_at) as loaded_at
    from ranked
    group by site, backlink_id

    union all

    -- a link one vendor holds: the merge above, of one row
    select
        site,
        backlink_id,
        source_url,
        source_page,
        source_domain,
        source_title,
        target_url,
        target_page,
        anchor,
        {{ lk_array(['vendor']) }} as vendors,
        first_seen_date,
        last_seen_date,
        lost_date as latest_loss_date,
        last_live_snapshot_date,
        authority_score,
        case when authority_score is not null then authority_source end as authority_source,
        spam_score,
        is_flagged_spam,
        is_nofollow,
        is_ugc,
        is_sponsored,
        coalesce(nullif(placement, 'unknown'), 'unknown') as placement,
        relevance_text,
        first_snapshot_date,
        last_snapshot_date,
        loaded_at
    from by_vendor
    anti join shared_links using (site, backlink_id)
),

-- Lost when some vendor reports a loss and no vendor saw the link live in a snapshot dated on or
-- after it; the loss date is then the latest reported one.
-- Anchor classes (docs/config.md, "Anchor classes"), once per site and anchor text: links
-- share a few texts ("Acme Outdoor", "here"). A text's brand terms and keywords are found by a
-- hash join of its words to each term's first word, then checked whole, so no text is compared
-- with every keyword of its site.
distinct_anchors as (
    select distinct site, coalesce(anchor, '') as anchor_text
    from by_vendor
),

anchor_texts as (
    select
        site,
        anchor_text,
        {{ anchor_words('anchor_text') }} as anchor_words
    from distinct_anchors
),

anchor_text_words as (
    select
        site,
        anchor_text,
        anchor_words,
        {{ lk_unnest('array_distinct(' ~ lk_split('anchor_words', "' '") ~ ')') }} as word
    from anchor_texts
    where anchor_words <> ''
),

terms as (
    select site, 'brand' as term_kind, {{ lk_unnest('brand_terms') }} as term from rules
    union all
    select site, 'keyword' as term_kind, {{ lk_unnest('anchor_keywords') }} as term from rules
),

anchor_terms as (
    select
        site,
        term_kind,
        term,
        split_part(term, ' ', 1) as first_word
    from terms
),

anchor_matches as (
    select
        anchor_text_words.site,
        anchor_text_words.anchor_text,
        bool_or(anchor_terms.term_kind = 'brand') as has_brand_term,
        bool_or(anchor_terms.term_kind = 'keyword' and anchor_terms.term = anchor_text_words.anchor_words)
            as is_keyword,
        bool_or(anchor_terms.term_kind = 'keyword') as has_keyword
    from anchor_text_words
    inner join anchor_terms
        on anchor_terms.site = anchor_text_words.site
        and anchor_terms.first_word = anchor_text_words.word
    where contains(' ' || anchor_text_words.anchor_words || ' ', ' ' || anchor_terms.term || ' ')
    group by anchor_text_words.site, anchor_text_words.anchor_text
),

anchor_classes as (
    select
        anchor_texts.site,
        anchor_texts.anchor_text,
        {{ anchor_type(
            'anchor_texts.anchor_text', 'anchor_texts.anchor_words', 'anchor_matches.has_brand_term',
            'anchor_matches.is_keyword', 'anchor_matches.has_keyword'
        ) }} as anchor_type
    from anchor_texts
    left join anchor_matches using (site, anchor_text)
),

with_life as (
    select
        merged.*,
        case
            when latest_loss_date > coalesce(last_live_snapshot_date, date '0001-01-01')
                then latest_loss_date
        end as lost_date
    from merged
),

classified as (
    select
        with_life.*,
        not is_nofollow and not is_ugc and not is_sponsored as is_followed,
        is_flagged_spam or array_contains(rules.disavow, source_domain) as is_toxic,
        {{ lk_array_length('rules.relevance_topics') }} = 0
            or {{ lk_array_any('rules.relevance_topics', 't', 'coalesce(contains(relevance_text, lower(t)), false)') }}
            as is_relevant,
        anchor_classes.anchor_type,
        latest_snapshot.latest_snapshot_date
    from with_life
    -- only sites and competitors in linkokr.yml: a file for any other domain stays in raw (a WARN
    -- check names it); once the config names the domain its rules are new, and every link of it
    -- is classified on the next run
    inner join rules using (site)
    left join latest_snapshot using (site)
    left join anchor_classes
        on anchor_classes.site = with_life.site
        and anchor_classes.anchor_text = coalesce(with_life.anchor, '')
)

select
    site,
    backlink_id,
    source_url,
    source_page,
    source_domain,
    source_title,
    target_url,
    target_page,
    anchor,
    vendors,
    first_seen_date,
    last_seen_date,
    lost_date,
    first_seen_date <= latest_snapshot_date
        and (lost_date is null or lost_date > latest_snapshot_date) as is_live,
    is_followed,
    is_nofollow,
    is_ugc,
    is_sponsored,
    placement,
    authority_score,
    authority_source,
    spam_score,
    is_toxic,
    is_relevant,
    case
        when is_toxic then 'toxic'
        when is_followed
            and authority_score >= {{ var('tier_1_min_authority') }}
            and placement in ('contextual', 'unknown')
            and is_relevant
            then 'tier_1'
        when is_followed and authority_score >= {{ var('tier_2_min_authority') }} then 'tier_2'
        when (is_followed and authority_score >= {{ var('tier_3_min_authority') }})
            -- not followed: nofollow, ugc or sponsored alike
            or (not is_followed and authority_score >= {{ var('tier_3_nofollow_min_authority') }})
            then 'tier_3'
        else 'tier_4'
    end as quality_tier,
    first_snapshot_date,
    last_snapshot_date,
    loaded_at,
    -- last, as the column was added to a contract in use
    anchor_type
from classified
