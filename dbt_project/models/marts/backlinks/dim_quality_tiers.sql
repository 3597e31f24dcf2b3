-- The quality tiers and the rule each one applies, with the thresholds this project is configured
-- with (the tier_* and toxic_* dbt vars read by fct_backlinks and the Moz staging model), so a
-- legend or a report states the rules the links were actually classified by.
-- An apostrophe is chr(39): Spark reads string literals raw, so a doubled quote would stay doubled.
{%- set tier_1 = var('tier_1_min_authority') %}
{%- set tier_2 = var('tier_2_min_authority') %}
{%- set tier_3 = var('tier_3_min_authority') %}
{%- set tier_3_nofollow = var('tier_3_nofollow_min_authority') %}
{%- set spam = var('toxic_min_spam_score') %}
{%- set spam_old = var('toxic_min_spam_score_old_scale') %}

with

tiers as (
    select * from (values
        (
            'tier_1',
            cast({{ tier_1 }} as double),
            cast(null as double),
            'followed, authority ≥ {{ tier_1 }}, placed in the content (contextual or unknown '
            || 'placement) and relevant to the site' || chr(39) || 's topics'
        ),
        (
            'tier_2',
            cast({{ tier_2 }} as double),
            cast(null as double),
            'followed, authority ≥ {{ tier_2 }}'
        ),
        (
            'tier_3',
            cast({{ tier_3 }} as double),
            cast({{ tier_3_nofollow }} as double),
            'followed with authority ≥ {{ tier_3 }}, or nofollow / ugc / sponsored with '
            || 'authority ≥ {{ tier_3_nofollow }}'
        ),
        (
            'tier_4',
            cast(null as double),
            cast(null as double),
            'every other link, including links without an authority score'
        ),
        (
            'toxic',
            cast(null as double),
            cast(null as double),
            'flagged as spam (Ahrefs "Is spam"; Moz spam score ≥ {{ spam }}, or ≥ {{ spam_old }} '
            || 'on the old 1–17 scale) or from a domain in the site' || chr(39) || 's disavow list'
        )
    ) as t (quality_tier, min_authority, nofollow_min_authority, rule)
)

select
    quality_tier,
    cast({{ tier_rank('quality_tier') }} as integer) as tier_rank,
    min_authority,
    nofollow_min_authority,
    rule
from tiers
