"""Search Console UI exports (docs/sources.md §3) through the inbox, into raw, staging and the
mart of their period aggregates, fct_search_console_periods.

Small zips in English and German are loaded with `load_file` next to the corpus's compare-mode,
custom-range and German exports and hand-written ones (a competitor, an unconfigured domain, a
country-filtered export); the staging views and the mart are then built by dbt from them, so the
checks read what the marts will read. Zips as users drop them (a lone `Queries.csv`, zips without
a period) are checked on an empty warehouse each.
"""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config, write_config_tables
from ingest.inbox import ensure_raw_tables, load_file
from ingest.sources.gsc.export import explicit_period
from tests.conftest import run_dbt
from tests.corpus import CORPUS_DIR
from tests.test_rankings_files import write, write_zip

GSC_ENGLISH = {
    "Queries.csv": "Top queries,Clicks,Impressions,CTR,Position\n"
    "tents,120,1855,6.47%,3.2\n"
    "hiking boots,4,830,0.48%,14.9\n",
    "Pages.csv": "Top pages,Clicks,Impressions,CTR,Position\n"
    "https://www.acme.com/tents/,118,1700,6.94%,3.1\n"
    "https://www.acme.com/guides/boots/,6,985,0.61%,12.4\n",
    "Dates.csv": "Date,Clicks,Impressions,CTR,Position\n"
    "2026-04-01,70,1400,5%,4.1\n"
    "2026-04-02,0,0,,\n"
    "2026-04-03,54,1285,4.2%,5.6\n",
    "Countries.csv": "Country,Clicks,Impressions,CTR,Position\nUnited States,124,2685,4.62%,6.5\n",
    "Devices.csv": "Device,Clicks,Impressions,CTR,Position\nDesktop,80,1500,5.33%,5.9\n",
    "Filters.csv": "Filter,Value\nSearch type,Web\nDate,Last 3 days\n",
}

GSC_GERMAN = {
    "Queries.csv": "\ufeffHäufigste Suchanfragen;Klicks;Impressionen;CTR;Position\n"
    "zelte kaufen;14;333;4,2 %;3,4\n"
    "wanderschuhe;1;2.150;0,05 %;18,75\n",
    "Pages.csv": "\ufeffHäufigste Seiten;Klicks;Impressionen;CTR;Position\n"
    "https://acme.com/zelte/;15;2.483;0,6 %;7,1\n",
    "Chart.csv": "\ufeffDatum;Klicks;Impressionen;CTR;Position\n"
    "2026-03-30;15;2.483;0,6 %;7,1\n"
    "2026-03-31;0;0;;\n",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The English and German zips, then the period exports (`write_period_exports`), loaded
    into one warehouse, then one `dbt build` for the module: the rankings staging views and
    fct_search_console_periods with its tests (a failing key test fails it)."""
    root = tmp_path_factory.mktemp("search-console")
    inbox = root / "inbox" / "rankings"
    files = [
        write_zip(inbox / "Performance-on-Search-2026-04-04.zip", GSC_ENGLISH),
        write_zip(inbox / "acme.com-Leistung-in-der-Suche-2026-03-31.zip", GSC_GERMAN),
    ]
    (root / "linkokr.yml").write_text(PERIODS_CONFIG)
    db = root / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    ensure_raw_tables(con)
    write_config_tables(con, load_config(root / "linkokr.yml"))
    results = {path.name: load_file(con, path, "rankings") for path in files}
    period_exports = [load_file(con, path, "rankings") for path in write_period_exports(inbox)]
    con.close()
    assert [r.status for r in period_exports] == ["loaded"] * len(period_exports)
    run_dbt(db, root, "build", "--select", "stg_rankings__tracker", "+fct_search_console_periods")
    con = duckdb.connect(str(db), read_only=True)
    yield results, con
    con.close()


def test_each_search_console_export_is_recognised_with_its_source_and_site(warehouse):
    results, _ = warehouse
    assert {name: (r.status, r.source, r.site) for name, r in results.items()} == {
        "Performance-on-Search-2026-04-04.zip": ("loaded", "gsc", "acme.com"),
        "acme.com-Leistung-in-der-Suche-2026-03-31.zip": ("loaded", "gsc", "acme.com"),
    }


def test_search_console_export_in_english_is_a_period_snapshot(warehouse):
    results, con = warehouse
    # Filters.csv has no clicks: left out; 2 queries + 2 pages + 3 days + 1 country + 1 device
    assert results["Performance-on-Search-2026-04-04.zip"].rows_loaded == 9
    rows = con.execute(
        """select report, coalesce(query, page, cast(report_date as varchar), country, device),
                  clicks, impressions, round(ctr, 4), position, period_start, period_end
           from staging.stg_rankings__gsc_export
           where file_name = 'Performance-on-Search-2026-04-04.zip'
           order by report, 2"""
    ).fetchall()
    period = (date(2026, 4, 1), date(2026, 4, 3))
    assert rows == [
        ("country", "United States", 124, 2685, 0.0462, 6.5, *period),
        ("date", "2026-04-01", 70, 1400, 0.05, 4.1, *period),
        ("date", "2026-04-02", 0, 0, None, None, *period),
        ("date", "2026-04-03", 54, 1285, 0.042, 5.6, *period),
        ("device", "Desktop", 80, 1500, 0.0533, 5.9, *period),
        ("page", "acme.com/guides/boots", 6, 985, 0.0061, 12.4, *period),
        ("page", "acme.com/tents", 118, 1700, 0.0694, 3.1, *period),
        ("query", "hiking boots", 4, 830, 0.0048, 14.9, *period),
        ("query", "tents", 120, 1855, 0.0647, 3.2, *period),
    ]
    # period aggregates never reach the daily rank rows
    assert con.execute(
        "select count(*) from staging.stg_rankings__tracker where source = 'gsc'"
    ).fetchone() == (0,)


def test_search_console_export_in_german_with_decimal_commas(warehouse):
    _, con = warehouse
    rows = con.execute(
        """select report, coalesce(query, page, cast(report_date as varchar)),
                  clicks, impressions, round(ctr, 5), position, period_start, period_end, site
           from staging.stg_rankings__gsc_export
           where file_name = 'acme.com-Leistung-in-der-Suche-2026-03-31.zip'
           order by report, 2"""
    ).fetchall()
    period = (date(2026, 3, 30), date(2026, 3, 31))
    assert rows == [
        ("date", "2026-03-30", 15, 2483, 0.006, 7.1, *period, "acme.com"),
        ("date", "2026-03-31", 0, 0, None, None, *period, "acme.com"),
        ("page", "acme.com/zelte", 15, 2483, 0.006, 7.1, *period, "acme.com"),
        ("query", "wanderschuhe", 1, 2150, 0.0005, 18.75, *period, "acme.com"),
        ("query", "zelte kaufen", 14, 333, 0.042, 3.4, *period, "acme.com"),
    ]


# --- Search Console UI exports as users drop them ---------------------------------------------

GSC_ZIPS = CORPUS_DIR / "rankings"
ENGLISH_ZIP = "acme-outdoor.com-Performance-on-Search-2026-11-14.zip"
GERMAN_ZIP = "acme-outdoor.com-Leistung-in-der-Suche-2026-11-14.zip"
COMPARE_ZIP = "acme-outdoor.com-Performance-on-Search-compare-2026-11-14.zip"
CUSTOM_RANGE_ZIP = "acme-outdoor.com-Performance-on-Search-2026-11-15.zip"
QUERIES = "Top queries,Clicks,Impressions,CTR,Position\ntents,120,1855,6.47%,3.2\n"
PAGES = (
    "Top pages,Clicks,Impressions,CTR,Position\nhttps://www.acme.com/tents/,118,1700,6.94%,3.1\n"
)


def corpus_zip(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "rankings" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(GSC_ZIPS / name, target)
    return target


def gsc_raw(con, file_name: str, report: str) -> list[tuple]:
    return con.execute(
        """select coalesce(query, page, report_date, country, device), clicks, impressions, ctr,
                  position, period_start, period_end
           from raw.gsc_export where _file = ? and report = ? order by all""",
        [file_name, report],
    ).fetchall()


def test_a_compare_mode_export_loads_its_current_period(tmp_path, con):
    result = load_file(con, corpus_zip(tmp_path, COMPARE_ZIP), "rankings")
    assert (result.status, result.source, result.site) == ("loaded", "gsc", "acme-outdoor.com")
    queries = gsc_raw(con, COMPARE_ZIP, "query")
    # `Last 7 days` (412 clicks), not `Previous 7 days` (398)
    assert ("acme outdoor", "412", "1855", "22.21%", "1.12", None, None) in queries
    # a query seen only in the current period keeps its row
    assert ("tents, 2 person", "8", "95", "8.42%", "4.25", None, None) in queries
    days = gsc_raw(con, COMPARE_ZIP, "date")
    assert [day[0] for day in days] == [f"2026-11-{d:02d}" for d in range(8, 15)]


def test_a_compare_mode_row_of_the_previous_period_only_is_left_out(tmp_path, con):
    header = (
        "Top queries,Last 28 days Clicks,Previous 28 days Clicks,Last 28 days Impressions,"
        "Previous 28 days Impressions,Last 28 days CTR,Previous 28 days CTR,"
        "Last 28 days Position,Previous 28 days Position\n"
    )
    path = write_zip(
        tmp_path / "rankings" / "acme.com-Performance-on-Search-compare-2026-04-29.zip",
        {
            "Queries.csv": header + "tents,10,8,100,90,10%,8.89%,3,4\nold query,,5,,50,,10%,,7\n",
            "Dates.csv": header.replace("Top queries", "Date")
            + "2026-04-01,10,8,100,90,10%,8.89%,3,4\n",
            "Filters.csv": "Filter,Value\nDate,Compare: Last 28 days vs Previous 28 days\n",
        },
    )
    result = load_file(con, path, "rankings")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 2, 0)
    assert gsc_raw(con, path.name, "query") == [("tents", "10", "100", "10%", "3", None, None)]


def test_an_export_without_dates_takes_its_period_from_filters(tmp_path, con):
    result = load_file(con, corpus_zip(tmp_path, CUSTOM_RANGE_ZIP), "rankings")
    assert (result.status, result.site, result.rows_loaded) == ("loaded", "acme-outdoor.com", 30)
    periods = con.execute(
        "select distinct period_start, period_end from raw.gsc_export where _file = ?",
        [CUSTOM_RANGE_ZIP],
    ).fetchall()
    assert periods == [("2026-11-08", "2026-11-14")]


@pytest.mark.parametrize(
    ("filters", "said"),
    [
        (
            "Filter,Value\nSearch type,Web\nDate,Last 28 days\n",
            "its Date filter 'Last 28 days' names no dates",
        ),
        (None, "the zip has no Filters.csv with a Date filter"),
    ],
)
def test_an_export_without_dates_or_explicit_range_is_refused(tmp_path, con, filters, said):
    members = {"Queries.csv": QUERIES, "Pages.csv": PAGES}
    if filters:
        members["Filters.csv"] = filters
    path = write_zip(tmp_path / "rankings" / "acme.com-Performance-on-Search.zip", members)
    result = load_file(con, path, "rankings")
    assert result.status == "rejected"
    assert result.error.startswith(
        "no Dates.csv/Chart.csv and no explicit date range in Filters.csv: export again with"
    )
    assert said in result.error
    assert "custom date range" in result.error
    assert (tmp_path / "rankings" / "_rejected" / path.name).exists()


@pytest.mark.parametrize("zipped", [False, True])
def test_a_lone_report_of_an_export_is_refused_asking_for_the_zip(tmp_path, con, zipped):
    if zipped:
        path = write_zip(tmp_path / "rankings" / "acme.com-queries.zip", {"Queries.csv": QUERIES})
    else:
        path = write(tmp_path / "rankings" / "Queries.csv", QUERIES)
    result = load_file(con, path, "rankings")
    assert result.status == "rejected"
    assert "one report of a Search Console export" in result.error
    assert "drop the whole zip as Search Console downloaded it" in result.error
    assert con.execute("select count(*) from raw.gsc_export").fetchone() == (0,)


def test_german_exports_with_decimal_commas_and_long_metric_names_load(tmp_path, con):
    result = load_file(con, corpus_zip(tmp_path, GERMAN_ZIP), "rankings")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 35, 0)
    assert ("acme outdoor", "412", "1855", "22.21%", "1.12", None, None) in gsc_raw(
        con, GERMAN_ZIP, "query"
    )
    path = write_zip(
        tmp_path / "rankings" / "acme.com-Leistung-in-der-Suche-2026-04-03.zip",
        {
            "Suchanfragen.csv": "\ufeffHäufigste Suchanfragen;Klicks;Impressionen;Klickrate;"
            "Durchschnittliche Position\nzelte;14;1.333;1,05 %;3,4\n",
            "Diagramm.csv": "\ufeffDatum;Klicks;Impressionen;Klickrate;Durchschnittliche Position\n"
            "2026-04-03;14;1.333;1,05 %;3,4\n",
        },
    )
    assert load_file(con, path, "rankings").status == "loaded"
    assert gsc_raw(con, path.name, "query") == [("zelte", "14", "1333", "1.05%", "3.4", None, None)]


@pytest.mark.parametrize(
    ("date_filter", "period"),
    [
        ("Nov 8, 2026-Nov 14, 2026", (date(2026, 11, 8), date(2026, 11, 14))),
        ("Aug 28, 2026 - Sep 3, 2026", (date(2026, 8, 28), date(2026, 9, 3))),
        ("2026-11-08 - 2026-11-14", (date(2026, 11, 8), date(2026, 11, 14))),
        ("Nov 14, 2026", (date(2026, 11, 14), date(2026, 11, 14))),
        (
            "Compare: Nov 8, 2026-Nov 14, 2026 vs Nov 1, 2026-Nov 7, 2026",
            (date(2026, 11, 8), date(2026, 11, 14)),
        ),
        ("Last 28 days", None),
        ("Compare: Last 7 days vs Previous 7 days", None),
        ("Nov 14, 2026-Nov 8, 2026", None),
    ],
)
def test_only_an_explicit_date_filter_gives_a_period(date_filter, period):
    assert explicit_period(date_filter) == period


# --- fct_search_console_periods ---------------------------------------------------------------

PERIODS_CONFIG = """
sites:
  - domain: acme-outdoor.com
    competitors: [rival-gear.com]
"""
REVISED_FILTERS = 'Filter,Value\nSearch type,Web\nDate,"Nov 8, 2026-Nov 14, 2026"\n'


def write_period_exports(inbox: Path) -> list[Path]:
    """Search Console exports in the order they load: corpus and hand-written zips."""
    return [
        corpus_zip(inbox.parent, CUSTOM_RANGE_ZIP),
        corpus_zip(inbox.parent, COMPARE_ZIP),
        # the same period again, later: its values win, the values it lacks stay
        write_zip(
            inbox / "acme-outdoor.com-revised_2026-11-16.zip",
            {
                "Queries.csv": "Top queries,Clicks,Impressions,CTR,Position\n"
                "acme outdoor,500,2000,25%,1.1\n",
                "Filters.csv": REVISED_FILTERS,
            },
        ),
        # a competitor; two URLs of one page are summed
        write_zip(
            inbox / "rival-gear.com-Performance-on-Search-2026-10-04.zip",
            {
                "Pages.csv": "Top pages,Clicks,Impressions,CTR,Position\n"
                "https://rival-gear.com/tents/,30,300,10%,2\n"
                "http://www.rival-gear.com/tents/?ref=nav,10,100,10%,6\n",
                "Devices.csv": "Device,Clicks,Impressions,CTR,Position\nMobile,40,400,10%,3\n",
                "Dates.csv": "Date,Clicks,Impressions,CTR,Position\n"
                "2026-10-01,20,200,10%,3\n2026-10-03,20,200,10%,3\n",
            },
        ),
        # nobody configured this domain: staging only
        write_zip(
            inbox / "other-shop.com-Performance-on-Search-2026-10-04.zip",
            {
                "Pages.csv": PAGES.replace("acme.com", "other-shop.com"),
                "Filters.csv": REVISED_FILTERS,
            },
        ),
        # a slice of the site (one country), not its totals: staging only
        write_zip(
            inbox / "acme-outdoor.com-us-only_2026-11-16.zip",
            {
                "Queries.csv": "Top queries,Clicks,Impressions,CTR,Position\n"
                "acme outdoor,300,1200,25%,1.1\n",
                "Filters.csv": REVISED_FILTERS + "Country,United States\n",
            },
        ),
    ]


@pytest.fixture(scope="module")
def periods(warehouse):
    _, con = warehouse
    mart = con.execute(
        """select site, period_start, period_end, dimension, value, clicks, impressions,
                  round(ctr, 4), round(position, 2), file_name
           from marts.fct_search_console_periods order by all"""
    ).fetchall()
    staged = con.execute(
        """select file_name, count(*) from staging.stg_rankings__gsc_export
           group by file_name order by file_name"""
    ).fetchall()
    return mart, dict(staged)


def test_the_mart_holds_each_configured_site_period_and_value_once(periods):
    mart, _ = periods
    rival = [row for row in mart if row[0] == "rival-gear.com"]
    competitor_file = "rival-gear.com-Performance-on-Search-2026-10-04.zip"
    assert rival == [
        ("rival-gear.com", date(2026, 10, 1), date(2026, 10, 3), "device", "Mobile", 40, 400,
         0.1, 3.0, competitor_file),
        # 40 clicks over 400 impressions; positions weighted by impressions
        ("rival-gear.com", date(2026, 10, 1), date(2026, 10, 3), "page", "rival-gear.com/tents",
         40, 400, 0.1, 3.0, competitor_file),
    ]  # fmt: skip
    assert {row[0] for row in mart} == {"acme-outdoor.com", "rival-gear.com"}
    acme = [row for row in mart if row[0] == "acme-outdoor.com"]
    assert {(row[1], row[2]) for row in acme} == {(date(2026, 11, 8), date(2026, 11, 14))}
    # 11 queries, 9 pages, 5 countries, 3 devices; search appearance and days are not values
    counts = {}
    for row in acme:
        counts[row[3]] = counts.get(row[3], 0) + 1
    assert counts == {"query": 11, "page": 9, "country": 5, "device": 3}


def test_the_latest_load_wins_per_value(periods):
    mart, _ = periods
    by_value = {(row[3], row[4]): row[5:] for row in mart if row[0] == "acme-outdoor.com"}
    # the revised export, loaded last, for the query it holds (not the country-filtered one)
    assert by_value[("query", "acme outdoor")] == (
        500,
        2000,
        0.25,
        1.1,
        "acme-outdoor.com-revised_2026-11-16.zip",
    )
    # the compare export's current period for the rest, over the custom-range export before it
    assert by_value[("query", "2 person tent")] == (120, 1234, 0.0972, 3.2, COMPARE_ZIP)
    assert by_value[("page", "acme-outdoor.com/")] == (413, 3375, 0.1224, 3.0, COMPARE_ZIP)


def test_unconfigured_sites_and_filtered_exports_stay_in_staging(periods):
    mart, staged = periods
    assert staged["other-shop.com-Performance-on-Search-2026-10-04.zip"] == 1
    assert staged["acme-outdoor.com-us-only_2026-11-16.zip"] == 1
    assert not {row[9] for row in mart} & {
        "other-shop.com-Performance-on-Search-2026-10-04.zip",
        "acme-outdoor.com-us-only_2026-11-16.zip",
    }
