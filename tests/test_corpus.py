"""The same marts from a vendor's export and from every spreadsheet re-save of it.

Each original of the fixture corpus (tests/fixtures/corpus: every vendor's published layout) is
loaded as it is, and as Excel re-saves it in a US, UK and German locale (`tests.corpus.resave`:
day-first and month-first dates with times, decimal commas, `;`, BOM, CRLF, Windows-1252). Each
variant goes to a site of its own (the domain rewritten in the file, `acme-outdoor-uk-utf8bom.com`
...) so one warehouse and one real `dbt build` hold them all; then, per link, keyword-day and
page-day, the variant's marts must hold exactly the original's values.
"""

import os
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.config import load_config, write_config_tables
from ingest.inbox import ensure_raw_tables, load_file
from tests.conftest import run_dbt
from tests.corpus import VARIANTS, inventory, rebrand, rebrand_name, resave, variant_name

SITE, RIVAL = "acme-outdoor.com", "rival-gear.com"
# Semrush names carry no date: the file's modification time is its snapshot date
MTIME = datetime(2026, 4, 18, 12, 0).timestamp()
MARTS = (
    "dim_sites",
    "fct_backlinks",
    "fct_keyword_rankings_daily",
    "fct_page_traffic_daily",
    "fct_search_console_periods",
)


def domains(variant_id: str | None) -> tuple[str, str]:
    if variant_id is None:
        return SITE, RIVAL
    return f"acme-outdoor-{variant_id}.com", f"rival-gear-{variant_id}.com"


def variant_file(original: Path, variant, folder: Path) -> Path:
    """The original as the variant's site would have it, re-saved in the variant's locale."""
    site, rival = domains(variant.id if variant else None)
    data = original.read_bytes()
    name = original.name
    if variant is not None:
        data = rebrand(rebrand(data, SITE, site), RIVAL, rival)
        name = variant_name(rebrand_name(rebrand_name(name, SITE, site), RIVAL, rival), variant)
        data = resave(data, locale=variant.locale, encoding=variant.encoding, name=name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (MTIME, MTIME))
    return path


@pytest.fixture(scope="module")
def corpus_warehouse(tmp_path_factory):
    """Every original and every re-save loaded into one warehouse, and the marts built."""
    work = tmp_path_factory.mktemp("corpus")
    warehouse = work / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_raw_tables(con)
    results = {}
    for variant in (None, *VARIANTS):
        variant_id = variant.id if variant else "original"
        for original in inventory():
            if original.expect != "load" or original.format_id not in LOADED_FORMATS:
                continue
            kind_dir = work / "inbox" / variant_id / original.kind
            path = variant_file(original.path, variant, kind_dir)
            result = load_file(con, path, original.kind, kind_dir=kind_dir)
            results[(variant_id, original.path.name)] = result
    config = work / "linkokr.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "sites": [
                    {"domain": site, "competitors": [rival]}
                    for site, rival in (domains(v.id if v else None) for v in (None, *VARIANTS))
                ]
            }
        )
    )
    write_config_tables(con, load_config(config))
    con.close()
    selection = " ".join(f"+{mart}" for mart in MARTS)
    run_dbt(
        warehouse, work, "build", "--exclude-resource-type", "unit_test",
        "--indirect-selection", "cautious", "-s", selection,
    )  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield results, con


def LOADED_FORMATS_FILES() -> list:  # noqa: N802
    return [f for f in inventory() if f.expect == "load" and f.format_id in LOADED_FORMATS]


LOADED_FORMATS = {
    "ga4_export",
    "gsc_ui_export",
    "ahrefs_current",
    "ahrefs_legacy",
    "semrush",
    "moz",
    "majestic",
    "semrush_position_tracking",
    "ahrefs_rank_tracker",
    "accuranker",
    "se_ranking_wide",
    "rank_tracker_long",
}


def links(con, variant_id: str | None) -> list[tuple]:
    """Per link of the site and its competitor: first seen, last seen, lost, authority, flags."""
    rows = []
    for own, original in zip(domains(variant_id), domains(None), strict=True):
        rows += con.execute(
            """select ? as site, source_page, replace(target_page, ?, ?) as target_page,
                      first_seen_date, last_seen_date, lost_date, authority_score,
                      is_nofollow, is_ugc, is_sponsored, placement, quality_tier, vendors
               from marts.fct_backlinks where site = ?
               order by source_page, target_page""",
            [original, own, original, own],
        ).fetchall()
    return rows


def rankings(con, variant_id: str | None) -> list[tuple]:
    """Per rank source, keyword and day: position, ranking page and volume."""
    own, original = domains(variant_id)[0], SITE
    return con.execute(
        """select source, keyword, date, position, replace(ranking_page, ?, ?), search_volume
           from marts.fct_keyword_rankings_daily where site = ?
           order by source, keyword, date""",
        [own, original, own],
    ).fetchall()


def test_every_original_and_re_save_loads_every_row(corpus_warehouse):
    results, _ = corpus_warehouse
    assert len(results) == len(LOADED_FORMATS_FILES()) * (1 + len(VARIANTS))
    refused = {key: (r.status, r.error) for key, r in results.items() if r.status != "loaded"}
    assert refused == {}
    rejected_rows = {key: r.error for key, r in results.items() if r.rows_rejected}
    assert rejected_rows == {}
    rows = {}
    for (variant, _), result in results.items():
        rows.setdefault(variant, []).append(result.rows_loaded)
    assert all(counts == rows["original"] for counts in rows.values())
    assert all(count > 0 for count in rows["original"])


def test_the_originals_fill_the_marts(corpus_warehouse):
    _, con = corpus_warehouse
    original_links = links(con, None)
    # both sites, every vendor, dates and authority read
    assert {row[0] for row in original_links} == {SITE, RIVAL}
    assert {v for row in original_links for v in row[-1]} == {
        "ahrefs",
        "semrush",
        "majestic",
        "moz",
    }
    assert all(row[3] is not None for row in original_links if row[0] == SITE)
    assert any(row[5] is not None for row in original_links)  # lost links
    original_rankings = rankings(con, None)
    assert {row[0] for row in original_rankings} == {
        "semrush",
        "ahrefs",
        "accuranker",
        "se_ranking",
        "generic",
    }
    assert any(row[3] is None for row in original_rankings)  # not ranking
    assert any((row[5] or 0) >= 1000 for row in original_rankings)  # thousands separators


def traffic(con, variant_id: str | None) -> list[tuple]:
    """Per landing page, day and channel: sessions, engaged sessions, key events, revenue."""
    own, original = domains(variant_id)[0], SITE
    return con.execute(
        """select replace(page, ?, ?), date, channel_group, sessions, engaged_sessions,
                  key_events, transactions, revenue
           from marts.fct_page_traffic_daily where site = ?
           order by all""",
        [own, original, own],
    ).fetchall()


def search_console(con, variant_id: str | None) -> list[tuple]:
    """Per period and query, page, country or device: clicks, impressions, CTR, position."""
    own, original = domains(variant_id)[0], SITE
    return con.execute(
        """select period_start, period_end, dimension, replace(value, ?, ?), clicks,
                  impressions, round(ctr, 6), round(position, 6)
           from marts.fct_search_console_periods where site = ?
           order by all""",
        [own, original, own],
    ).fetchall()


def test_the_original_downloads_fill_the_traffic_and_search_console_marts(corpus_warehouse):
    _, con = corpus_warehouse
    days = {row[1] for row in traffic(con, None)}
    assert len(days) == 14 and any(row[7] and row[7] != int(row[7]) for row in traffic(con, None))
    periods = {(row[0], row[1]) for row in search_console(con, None)}
    assert periods == {(date(2026, 11, 8), date(2026, 11, 14))}
    assert {row[2] for row in search_console(con, None)} >= {"query", "page"}


@pytest.mark.parametrize("variant", [v.id for v in VARIANTS])
def test_a_re_save_keeps_decimals_that_never_reach_a_mart(corpus_warehouse, variant):
    # Ahrefs' UR (`12.5`, `12,5` in a German re-save) is kept in raw for analysts
    _, con = corpus_warehouse

    def url_ratings(variant_id):
        return con.execute(
            """select url_rating from raw.backlinks_ahrefs
               where _file like ? and _format = 'ahrefs_current' order by _row_number""",
            [f"{domains(variant_id)[0]}%"],
        ).fetchall()

    original = url_ratings(None)
    assert ("12.5",) in original
    assert url_ratings(variant) == original


# What the marts hold per link, keyword-day, page-day and Search Console value: the same for
# every re-save as for the original.
MART_READERS = {
    "per link": links,
    "per keyword and day": rankings,
    "per page and day": traffic,
    "per Search Console period and value": search_console,
}


@pytest.mark.parametrize("grain", MART_READERS)
@pytest.mark.parametrize("variant", [v.id for v in VARIANTS])
def test_a_re_save_holds_the_originals_values(corpus_warehouse, variant, grain):
    _, con = corpus_warehouse
    read = MART_READERS[grain]
    assert read(con, variant) == read(con, None)
