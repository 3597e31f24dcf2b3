"""Registrable domain of every distinct host seen in backlinks, from the bundled public-suffix list.

Computed once per distinct host (not per row), then joined back in SQL. Hosts already mapped by
the previous build are reused, so a daily run only looks up the new ones. The lookups stream in
batches through a temporary CSV file that DuckDB reads back: passing millions of strings as
query parameters cost 13 GB of memory at 1.75M hosts (docs/scaling.md).
"""

import csv
import os
import tempfile

from ingest.domains import registrable_domain

BATCH = 100_000


def model(dbt, session):
    dbt.config(materialized="table")
    unioned = dbt.ref("int_backlinks_unioned")
    this = dbt.this
    previous = session.execute(
        """select count(*) from duckdb_tables()
           where database_name = ? and schema_name = ? and table_name = ?""",
        [this.database, this.schema, this.identifier],
    ).fetchone()[0]
    hosts_sql = (
        "select source_host as host from unioned where source_host <> '' "
        "union select target_host from unioned where target_host <> ''"
    )
    session.execute("drop table if exists host_domains_current")
    session.execute("create temp table host_domains_current (host varchar)")
    unioned.query("unioned", hosts_sql).insert_into("host_domains_current")
    known = f"select host, registrable_domain from {this!r}" if previous else None
    new_hosts_sql = "select host from host_domains_current" + (
        f" where host not in (select host from {this!r})" if known else ""
    )

    session.execute(
        "create or replace temp table host_domains_new (host varchar, registrable_domain varchar)"
    )
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="linkokr_host_domains_")
    try:
        written = 0
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            new_hosts = session.execute(new_hosts_sql)
            while batch := new_hosts.fetchmany(BATCH):
                writer.writerows((host, registrable_domain(host)) for (host,) in batch)
                written += len(batch)
        if written:
            session.execute(
                """insert into host_domains_new
                   select * from read_csv(?, header = false, quote = '"', escape = '"',
                       columns = {'host': 'varchar', 'registrable_domain': 'varchar'})""",
                [path],
            )
    finally:
        os.unlink(path)

    if not known:
        return session.sql("select host, registrable_domain from host_domains_new")
    return session.sql(
        f"""select host, registrable_domain from ({known})
            where host in (select host from host_domains_current)
            union all
            select host, registrable_domain from host_domains_new"""
    )
