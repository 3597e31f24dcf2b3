"""Registrable domain of every distinct host seen in backlinks, from the bundled public-suffix list.

Computed once per distinct host (not per row), then joined back in SQL.
"""

from ingest.domains import registrable_domains


def model(dbt, session):
    dbt.config(materialized="table")
    unioned = dbt.ref("int_backlinks_unioned")
    hosts = unioned.query(
        "unioned",
        "select source_host as host from unioned union select target_host from unioned",
    ).fetchall()
    mapping = registrable_domains(sorted(h for (h,) in hosts if h))
    return session.sql(
        "select unnest($hosts) as host, unnest($domains) as registrable_domain",
        params={"hosts": list(mapping), "domains": list(mapping.values())},
    )
