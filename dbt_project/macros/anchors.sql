{#- Anchor classes (docs/config.md, "Anchor classes"): the first that applies, case-insensitive.
    Text is compared as words: lowercased, every run of characters other than letters and digits
    read as one space, so `Acme-Outdoor's tents!` reads `acme outdoor s tents`. A term (brand
    term, keyword) is contained in an anchor when its words appear in the anchor's words as whole
    words: the keyword `tent` is in `best tent deals`, not in `content`. -#}

{#- The classes, in the order they are tried. -#}
{% macro anchor_types() -%}
    {{ lk_string_array(['empty', 'naked_url', 'branded', 'exact', 'partial', 'generic', 'other']) }}
{%- endmacro %}

{#- Anchors that say nothing about the page they link to: an anchor that, as words, is one of
    these is `generic`. Edit the list here; the next run reclassifies every link (it is part of
    int_backlink_rules' `rules`). -#}
{% macro generic_anchor_texts() -%}
    {{ lk_string_array([
        'click here', 'click', 'here', 'go here', 'see here', 'this', 'this link', 'this page',
        'this site', 'this website', 'this article', 'this post', 'this one', 'website',
        'the website', 'their website', 'web site', 'site', 'homepage', 'home page', 'link',
        'read more', 'read this', 'more', 'more info', 'more information', 'learn more',
        'find out more', 'see more', 'view more', 'details', 'source', 'visit', 'visit site',
        'visit website', 'check it out', 'check out', 'continue reading', 'url', 'official site'
    ]) }}
{%- endmacro %}

{#- The words of a text: '' for null, blank or punctuation only. -#}
{% macro anchor_words(text) -%}
    coalesce(trim({{ lk_regexp_replace_all('lower(' ~ text ~ ')', "'[^\\p{L}\\p{N}]+'", "' '") }}), '')
{%- endmacro %}

{#- A URL (scheme or `www.` first) or a host name (`name.tld`, then an optional port and path),
    the whole anchor and nothing else. `\z`, not `$`: Java's `$` also matches before a final line
    break, so `example.com` followed by a newline would be a naked URL on Spark only. -#}
{% macro naked_url_pattern() -%}
    '^(?:https?://|www\.)\S+\z|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?::[0-9]+)?(?:[/?#]\S*)?\z'
{%- endmacro %}

{#- The anchor class of `anchor`, given its words (anchor_words) and whether they hold a brand
    term, equal a keyword, or hold a keyword (as whole words; fct_backlinks finds these). -#}
{% macro anchor_type(anchor, words, has_brand_term, is_keyword, has_keyword) -%}
    case
        when {{ words }} = '' then 'empty'
        when {{ lk_regexp_full_match('lower(trim(' ~ anchor ~ '))', naked_url_pattern()) }} then 'naked_url'
        when coalesce({{ has_brand_term }}, false) then 'branded'
        when coalesce({{ is_keyword }}, false) then 'exact'
        when coalesce({{ has_keyword }}, false) then 'partial'
        when array_contains({{ generic_anchor_texts() }}, {{ words }}) then 'generic'
        else 'other'
    end
{%- endmacro %}
