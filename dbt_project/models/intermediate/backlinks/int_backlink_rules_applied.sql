-- The rules fct_backlinks was last built with: a copy of int_backlink_rules taken after
-- fct_backlinks succeeds. The next incremental build of fct_backlinks compares the two and
-- reclassifies every link of a site whose rules changed (a new disavow entry, topic or threshold).
-- depends_on: {{ ref('fct_backlinks') }}
select site, rules from {{ ref('int_backlink_rules') }}
