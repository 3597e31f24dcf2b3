-- Registrable domain of every distinct host, from the Public Suffix List rules of the
-- public_suffixes seed, read the way ingest.domains.registrable_domain reads them (tldextract,
-- private section included): the longest rule ending the host's labels is its public suffix
-- (`*.x` stands for any one label under x; an exception `!y.x` makes y.x registrable), and the
-- registrable domain is one label more. A host that has none (an IP, localhost, an unknown TLD,
-- a bare suffix) is its own domain.
-- Recomputed from every host at each build: at 1.75M distinct hosts, about 20 s (two busy cores),
-- as long as the former Python model took to reuse its known hosts, and a quarter of its 90 s
-- for a first build.

{#- White space at either end, as Python's str.strip() removes it (all of Unicode's). -#}
{%- set space -%}[\t\n\x0b\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]{%- endset -%}
{%- set outer_space = "'^" ~ space ~ "+|" ~ space ~ "+$'" -%}
{#- Ideographic full stops, which tldextract reads as dots. -#}
{%- set full_stops -%}'[\x{3002}\x{ff0e}\x{ff61}]'{%- endset -%}
{#- Everything up to the last `@` (credentials), from the first `:` (a port). -#}
{%- set credentials -%}'^[\s\S]*@'{%- endset -%}
{%- set port -%}':[\s\S]*$'{%- endset -%}
{#- The host trimmed, lowercase, without trailing dots. -#}
{%- set cleaned_host -%}
    regexp_replace({{ lk_regexp_replace_all('lower(host)', outer_space, "''") }}, '\.+$', '')
{%- endset -%}
{#- What tldextract looks up in it: after any `user@` and before any `:port`, trimmed again,
    full stops as dots, no trailing dot; nothing for `[…]` (an IPv6 address). -#}
{%- set after_credentials = 'regexp_replace(' ~ cleaned_host ~ ', ' ~ credentials ~ ", '')" -%}
{%- set lookup_host -%}
    case when not {{ after_credentials }} like '[%]%' then regexp_replace(
        {{ lk_regexp_replace_all(
            lk_regexp_replace_all('regexp_replace(' ~ after_credentials ~ ', ' ~ port ~ ", '')", outer_space, "''"),
            full_stops,
            "'.'"
        ) }},
        '\.+$',
        ''
    ) else '' end
{%- endset %}

with

unioned_hosts as (
    select source_host as host from {{ ref('int_backlinks_unioned') }} where source_host <> ''
    union
    select target_host as host from {{ ref('int_backlinks_unioned') }} where target_host <> ''
),

-- A plain host (lowercase letters, digits, hyphens, dots, no trailing dot: nearly all) is its own
-- cleaned and looked-up form. `cleaned_host` is the answer when nothing is registrable.
cleaned as (
    select
        host,
        is_plain,
        case when is_plain then host else {{ cleaned_host }} end as cleaned_host,
        case when is_plain then host else {{ lookup_host }} end as lookup_host
    from (
        select
            host,
            {{ lk_regexp_full_match('host', "'[a-z0-9.-]*[a-z0-9-]'") }} as is_plain
        from unioned_hosts
    ) as hosts
),

labelled as (
    select
        host,
        {{ lk_split('lookup_host', "'.'") }} as labels
    from cleaned
    where lookup_host <> ''
),

-- Each host's dot-suffixes (`a.b.co.uk`: `uk` at depth 1, `co.uk`, `b.co.uk`, `a.b.co.uk`), with
-- the one and two labels before each, when there are.
host_suffixes as (
    select
        host,
        label_count,
        depth,
        {{ lk_array_join(lk_array_slice('labels', 'label_count - depth + 1', 'label_count'), "'.'") }} as suffix,
        case when depth < label_count then {{ lk_array_at('labels', 'label_count - depth') }} end as previous_label,
        case
            when depth + 1 < label_count then {{ lk_array_at('labels', 'label_count - depth - 1') }}
        end as second_previous_label
    from (select host, labels, {{ lk_array_length('labels') }} as label_count from labelled) as counted
    {{ lk_unnest_join(lk_integer_sequence('1', 'label_count'), 'depths', 'depth') }}
),

-- A rule as the suffix it matches and the depth of the public suffix it makes relative to the
-- match: an exact rule is the match, a wildcard one label more, an exception one label less.
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

-- Every public suffix a rule makes of the host, with the registrable domain it gives: one label
-- more, when there is one and it is not empty (`a..co.uk`); '' for none.
candidates as (
    select
        host_suffixes.host,
        host_suffixes.depth + rules.depth_offset as suffix_depth,
        rules.depth_offset = -1 as is_exception,
        coalesce(case rules.depth_offset
            when 0 then nullif(host_suffixes.previous_label, '') || '.' || host_suffixes.suffix
            when 1 then nullif(host_suffixes.second_previous_label, '') || '.'
                || host_suffixes.previous_label || '.' || host_suffixes.suffix
            else host_suffixes.suffix
        end, '') as registrable_domain
    from host_suffixes
    inner join rules on host_suffixes.suffix = rules.matched_suffix
    -- a wildcard needs a label to stand for; an exception must leave a suffix
    where host_suffixes.depth + rules.depth_offset between 1 and host_suffixes.label_count
),

-- An exception wins, else the longest public suffix (two rules making the same one agree).
registrable as (
    select
        host,
        coalesce(
            max(registrable_domain) filter (where is_exception),
            max_by(registrable_domain, suffix_depth)
        ) as registrable_domain
    from candidates
    group by host
)

select
    cleaned.host,
    coalesce(nullif(registrable.registrable_domain, ''), cleaned.cleaned_host) as registrable_domain
from cleaned
left join registrable on cleaned.host = registrable.host
