"""No input fails the dbt build (a user's file is a WARN and a held-out row, never a
red run), and a file for a domain nobody configured waits in raw until the config names it.

One warehouse gets the corpus originals and the repo's example config (all fifteen key results),
plus the files users drop by mistake: exports for a domain linkokr.yml does not name, rows that
point nowhere, duplicates, impossible dates and scores, a header-only file. The whole project is
built with every data test; then the stranger's domain is added as a competitor and an
incremental build brings its rows in.
"""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config, write_config_tables
from ingest.inbox import ensure_raw_tables, load_file
from tests.conftest import REPO, run_dbt
from tests.corpus import inventory, rebrand, rebrand_name
from tests.test_inbox import AHREFS_HEADER, ahrefs_row, write_ahrefs_utf16

STRANGER = "stranger-outdoor.com"  # in no config
SITE = "acme-outdoor.com"


def odd_ahrefs_rows() -> list[list[str]]:
    """Rows a real export can hold that a careless model would trip on."""
    rows = [
        ahrefs_row("https://blog.example.org/a", "/tents/"),  # a target without a host
        ahrefs_row("not a url", f"https://{SITE}/tents/"),
        ahrefs_row(f"https://www.{SITE}/guides/", f"https://{SITE}/tents/"),  # internal
        ahrefs_row("https://blog.example.org/b", "https://elsewhere.example/"),  # other target
        ahrefs_row("https://blog.example.org/c", f"https://{SITE}/tents/", dr="101"),
        ahrefs_row("https://blog.example.org/d", f"https://{SITE}/tents/", dr="-5"),
        ahrefs_row("https://blog.example.org/e", f"https://{SITE}/tents/", lost="1990-01-01"),
    ]
    rows += [ahrefs_row("https://blog.example.org/f", f"https://{SITE}/")] * 2  # the same twice
    future = ahrefs_row("https://blog.example.org/g", f"https://{SITE}/")
    future[AHREFS_HEADER.index("First seen")] = "2099-12-31 00:00:00"
    unknown_dates = ahrefs_row("https://blog.example.org/h", f"https://{SITE}/")
    unknown_dates[AHREFS_HEADER.index("First seen")] = ""
    unknown_dates[AHREFS_HEADER.index("Last seen")] = ""
    return [*rows, future, unknown_dates]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hostile_files(inbox: Path) -> list[tuple[str, Path]]:
    files = []
    # exports for a domain nobody configured: the corpus' own files, for another domain
    for original in inventory():
        if original.expect == "load" and original.site == SITE and original.kind != "traffic":
            name = rebrand_name(original.path.name, SITE, STRANGER)
            path = inbox / original.kind / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rebrand(original.path.read_bytes(), SITE, STRANGER))
            files.append((original.kind, path))
    files.append(
        ("backlinks", write_ahrefs_utf16(inbox / "backlinks" / f"{SITE}-odd_2026-04-19.csv",
                                         odd_ahrefs_rows()))
    )  # fmt: skip
    files.append(
        (
            "backlinks",
            write(inbox / "backlinks" / f"{SITE}-header-only_2026-04-20.csv",
                  ",".join(AHREFS_HEADER) + "\n"),
        )
    )  # fmt: skip
    files.append(
        (
            "rankings",
            write(
                inbox / "rankings" / f"{SITE}-odd-ranks_2026-11-12.csv",
                "Keyword,Date,Position,URL,Search Volume\n"
                f"tents,2026-11-10,3,https://{SITE}/tents/,100\n"
                f"tents,2026-11-10,1,https://{SITE}/tents/2p/,100\n"  # twice: best wins
                f"tents,2026-11-11,0,https://{SITE}/tents/,100\n"
                f"  ,2026-11-11,4,https://{SITE}/,10\n"  # no keyword
                f"hiking boots,2026-11-11,,,\n",
            ),
        )
    )
    files.append(
        (
            "domain_metrics",
            write(
                inbox / "domain_metrics" / "authority_2026-11-12.csv",
                "date,domain,metric,value\n"
                f"2026-11-01,{SITE},ahrefs_dr,44\n"
                f"2026-11-02,{SITE},ahrefs_dr,-\n"
                f"2026-11-02,{STRANGER},ahrefs_dr,30\n"
                f"2026-11-03,{SITE},unknown_metric,12\n",
            ),
        )
    )
    files.append(
        (
            "traffic",
            write(
                inbox / "traffic" / f"{STRANGER}-landing-pages.csv",
                "Date,Landing page,Session default channel group,Sessions\n"
                "20261110,/tents/,Organic Search,12\n",
            ),
        )
    )
    return files


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    warehouse = work / "warehouse.duckdb"
    config = work / "linkokr.yml"
    shutil.copy(REPO / "linkokr.yml", config)
    con = duckdb.connect(str(warehouse))
    ensure_raw_tables(con)
    inbox = work / "inbox"
    files = [
        (f.kind, f.path) for f in inventory() if f.expect == "load" and f.kind != "traffic"
    ] + hostile_files(inbox)
    results = {path.name: load_file(con, path, kind) for kind, path in files}
    write_config_tables(con, load_config(config))
    con.close()
    build = run_dbt(warehouse, work, "build", "--exclude-resource-type", "unit_test")
    return work, warehouse, config, results, build.stdout


def site_rows(con, domain: str) -> dict[str, int]:
    """Rows for `domain` in every mart that has a site column."""
    tables = con.execute(
        """select table_name from information_schema.columns
           where table_schema = 'marts' and column_name = 'site'"""
    ).fetchall()
    counts = {}
    for (table,) in tables:
        n = con.execute(f'select count(*) from marts."{table}" where site = ?', [domain]).fetchone()
        counts[table] = n[0]
    return counts


def test_the_whole_build_passes_with_every_odd_file_loaded(hostile_warehouse):
    _, _, _, results, log = hostile_warehouse
    assert {r.status for r in results.values()} == {"loaded"}
    assert "ERROR=0" in log


def test_an_unconfigured_domain_stays_in_raw_out_of_every_mart(hostile_warehouse):
    _, warehouse, _, results, _ = hostile_warehouse
    held = [name for name, r in results.items() if r.site == STRANGER]
    assert len(held) >= 5
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = con.execute(
            "select count(*) from raw.backlinks_semrush where _file like ?", [f"{STRANGER}%"]
        ).fetchone()[0]
        assert raw > 0  # nothing lost
        assert set(site_rows(con, STRANGER).values()) == {0}
        assert site_rows(con, SITE)["fct_backlinks"] > 0


def test_adding_the_domain_as_a_competitor_brings_its_rows_in(hostile_warehouse):
    work, warehouse, config, _, _ = hostile_warehouse
    text = config.read_text().replace(
        "competitors: [rival-gear.com, peak-supply.com]",
        f"competitors: [rival-gear.com, peak-supply.com, {STRANGER}]",
    )
    config.write_text(text)
    with duckdb.connect(str(warehouse)) as con:
        write_config_tables(con, load_config(config))
    log = run_dbt(warehouse, work, "build", "--exclude-resource-type", "unit_test").stdout
    assert "ERROR=0" in log
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = site_rows(con, STRANGER)
        assert counts["fct_backlinks"] > 0
        assert counts["fct_keyword_rankings_daily"] > 0
        assert counts["fct_domain_authority_daily"] > 0

        # the same exports as the site's own: the same links, less those of the site's odd file
        def pages(domain, exclude_snapshot=None):
            return set(
                con.execute(
                    """select source_page, replace(target_page, ?, 'x') from marts.fct_backlinks
                       where site = ? and first_snapshot_date is distinct from ?""",
                    [domain, domain, exclude_snapshot],
                ).fetchall()
            )

        assert pages(STRANGER) == pages(SITE, exclude_snapshot=date(2026, 4, 19))
