-- Registrable domain of every distinct host, from the Public Suffix List rules of the
-- public_suffixes seed, read the way ingest.domains.registrable_domain reads them (tldextract,
-- private section included): the longest rule ending the host's labels is its public suffix
-- (`*.x` stands for any one label under x; an exception `!y.x` makes y.x registrable), and the
-- registrable domain is one label more. A host that has none (an IP, localhost, an unknown TLD,
-- a bare suffix) is its own domain.
-- Recomputed from every host at each build: about N s at 1.75M distinct hosts (docs/scaling.md).

{#- White space at either end, as Python's str.strip() removes it (all of Unicode's). -#}
{%- set space -%}[\t\n\x0b\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]{%- endset -%}
{%- set outer_space = "'^" ~ space ~ "+|" ~ space ~ "+$'" -%}
{#- Ideographic full stops, which tldextract reads as dots. -#}
{%- set full_stops -%}'[\x{3002}\x{ff0e}\x{ff61}]'{%- endset -%}
{#- Everything up to the last `@` (credentials), from the first `:` (a port). -#}
{%- set credentials -%}'^[\s\S]*@'{%- endset -%}
{%- set port -%}':[\s\S]*$'{%- endset %}

with

unioned_hosts as (
    select source_host as host from {{ ref('int_backlinks_unioned') }} where source_host <> ''
    union
    select target_host as host from {{ ref('int_backlinks_unioned') }} where target_host <> ''
),

-- The host trimmed, lowercase, without trailing dots: the answer when nothing is registrable.
cleaned as (
    select
        host,
        regexp_replace(
            {{ lk_regexp_replace_all('lower(host)', outer_space, "''") }},
            '\.+$',
            ''
        ) as cleaned_host
    from unioned_hosts
),

-- What tldextract looks up: after any `user@`, before any `:port`, trimmed again, ideographic
-- full stops as dots, no trailing dot. A `[…]` host (IPv6) has no registrable domain.
looked_up as (
    select
        host,
        regexp_replace(
            {{ lk_regexp_replace_all(
                lk_regexp_replace_all(
                    "regexp_replace(regexp_replace(cleaned_host, " ~ credentials ~ ", ''), " ~ port ~ ", '')",
                    outer_space,
                    "''"
                ),
                full_stops,
                "'.'"
            ) }},
            '\.+$',
            ''
        ) as lookup_host
    from cleaned
    where not regexp_replace(cleaned_host, {{ credentials }}, '') like '[%]%'
),

labelled as (
    select
        host,
        {{ lk_split('lookup_host', "'.'") }} as labels,
        {{ lk_array_length(lk_split('lookup_host', "'.'")) }} as label_count
    from looked_up
    where lookup_host <> ''
),

-- Each host's dot-suffixes: `a.b.co.uk` has `uk` (depth 1), `co.uk`, `b.co.uk`, `a.b.co.uk`.
host_suffixes as (
    select
        host,
        label_count,
        depth,
        {{ lk_array_join(lk_array_slice('labels', 'label_count - depth + 1', 'label_count'), "'.'") }} as suffix
    from labelled
    {{ lk_unnest_join(lk_integer_sequence('1', 'label_count'), 'depths', 'depth') }}
),

-- A rule as the suffix it matches and the public suffix's depth relative to that match: an
-- exact rule is the match, a wildcard one label more, an exception one label less.
rules as (
    select
        case
            when suffix like '*.%' then substr(suffix, 3)
            when suffix like '!%' then substr(suffix, 2)
            else suffix
        end as matched_suffix,
        case when suffix like '*.%' then 1 when suffix like '!%' then -1 else 0 end as depth_offset
    from {{ ref('public_suffixes') }}
),

-- The public suffix's depth: an exception's if one matches, else the longest rule's.
public_suffixes as (
    select
        host_suffixes.host,
        coalesce(
            max(host_suffixes.depth + rules.depth_offset) filter (where rules.depth_offset = -1),
            max(host_suffixes.depth + rules.depth_offset)
        ) as suffix_depth
    from host_suffixes
    inner join rules on host_suffixes.suffix = rules.matched_suffix
    -- a wildcard needs a label to stand for
    where host_suffixes.depth + rules.depth_offset <= host_suffixes.label_count
    group by host_suffixes.host
),

-- One label more than the public suffix, when there is one and it is not empty (`a..co.uk`).
registrable as (
    select
        host_suffixes.host,
        host_suffixes.suffix as registrable_domain
    from public_suffixes
    inner join host_suffixes
        on public_suffixes.host = host_suffixes.host
        and public_suffixes.suffix_depth + 1 = host_suffixes.depth
    where public_suffixes.suffix_depth >= 1
      and host_suffixes.suffix not like '.%'
)

select
    cleaned.host,
    coalesce(registrable.registrable_domain, cleaned.cleaned_host) as registrable_domain
from cleaned
left join registrable on cleaned.host = registrable.host
