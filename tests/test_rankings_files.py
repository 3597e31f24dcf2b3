"""Every rank-tracker file format of docs/sources.md §3 through the inbox, into raw and staging.

Small files in each tool's real layout (wide Semrush Position Tracking and SE Ranking, Ahrefs
Rank Tracker in UTF-16 + TAB, AccuRanker, generic long) are loaded with `load_file`; the staging
view is then built by dbt from them, so the checks read what the marts will read. Search Console
UI exports, which land in rankings/ too, are checked in test_search_console_export.
"""

import codecs
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.inbox import ensure_raw_tables, load_file
from tests.conftest import run_dbt

SEMRUSH_PT = (
    "Position Tracking: Rankings Overview\n"
    "Project: acme outdoor\n"
    "Database: google.com (US), Desktop\n"
    "\n"
    "Keyword,Tags,Intents,"
    "*.acme.com/*_20260401,*.acme.com/*_20260401_type,*.acme.com/*_20260401_landing,"
    "*.acme.com/*_20260402,*.acme.com/*_20260402_type,*.acme.com/*_20260402_landing,"
    "*.rival.com/*_20260401,*.rival.com/*_20260401_type,*.rival.com/*_20260401_landing,"
    "*.rival.com/*_20260402,*.rival.com/*_20260402_type,*.rival.com/*_20260402_landing,"
    "*.acme.com/*_difference,Search Volume,CPC,Keyword Difficulty\n"
    'tents,"product,head",commercial,3,,https://www.acme.com/tents/,2,featured snippet,'
    "https://www.acme.com/tents/,7,,https://rival.com/tents,8,,https://rival.com/tents,1,"
    "9900,1.20,61\n"
    "hiking boots,head,commercial,-,,,-,,,12,,https://rival.com/boots,11,,"
    "https://rival.com/boots,0,5400,0.90,48\n"
)

SE_RANKING = (
    "Keyword,URL,Search volume,Tags,01.04.2026,02.04.2026,03.04.2026\n"
    "tents,https://acme.com/tents/,9900,product,4,3,-\n"
    "sleeping bags,https://acme.com/sleeping-bags/,2900,,100+,,61\n"
)

AHREFS_HEADER = [
    "Keyword",
    "Location",
    "Tags",
    "Volume",
    "KD",
    "CPC",
    "Traffic",
    "Current position",
    "Previous position",
    "Current URL",
    "SERP features",
    "Updated",
]
AHREFS_ROWS = [
    ["tents", "United States", "product, head", "9900", "61", "1.2", "540", "3", "4",
     "https://www.acme.com/tents/", "Sitelinks, Image pack", "2026-04-02 08:13:00"],
    ["backpacks", "United States", "product", "6600", "44", "0.8", "0", "", "57",
     "", "", "2026-04-02 08:13:00"],
]  # fmt: skip

ACCURANKER = (
    "Keyword,Search Engine,Locale,Device,Date,Rank,URL,Search volume,Tags\n"
    "tents,Google,en-US,Desktop,2026-04-03,5,https://acme.com/tents/,9900,product|head\n"
    "camping gear,Google,en-US,Desktop,2026-04-03,Not in top 100,,4400,head\n"
)

GENERIC = (
    "Keyword,Tags,Date,Position,URL,Search Volume\n"
    "tents,product;head,2026-04-04,6,https://acme.com/tents,9900\n"
    "hiking boots,head,2026-04-04,>100,,5400\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def write_utf16_tab(path: Path, rows: list[list[str]]) -> Path:
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def write_zip(path: Path, members: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Every rank-tracker format loaded into one warehouse, then one `dbt build` of the rankings
    staging view for the module (with its tests)."""
    root = tmp_path_factory.mktemp("rankings")
    inbox = root / "inbox" / "rankings"
    files = [
        write(inbox / "position-tracking-rankings-overview.csv", SEMRUSH_PT),
        write(inbox / "se-ranking-export.csv", SE_RANKING),
        write_utf16_tab(inbox / "rank-tracker-export.csv", [AHREFS_HEADER, *AHREFS_ROWS]),
        write(inbox / "accuranker-export.csv", ACCURANKER),
        write(inbox / "rank-tracker_2026-04-04.csv", GENERIC),
    ]
    db = root / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    ensure_raw_tables(con)
    results = {path.name: load_file(con, path, "rankings") for path in files}
    con.close()
    run_dbt(db, root, "build", "--select", "stg_rankings__tracker")
    con = duckdb.connect(str(db), read_only=True)
    yield results, con
    con.close()


def staged(con, source: str) -> list[tuple]:
    return con.execute(
        """select site, ranking_date, keyword, position, ranking_page, search_volume, tags
           from staging.stg_rankings__tracker where source = ?
           order by site, keyword, ranking_date""",
        [source],
    ).fetchall()


def test_each_rank_format_is_recognised_with_its_source_and_site(warehouse):
    results, _ = warehouse
    assert {name: (r.status, r.source, r.site) for name, r in results.items()} == {
        "position-tracking-rankings-overview.csv": ("loaded", "semrush", "acme.com"),
        "se-ranking-export.csv": ("loaded", "se_ranking", "acme.com"),
        "rank-tracker-export.csv": ("loaded", "ahrefs", "acme.com"),
        "accuranker-export.csv": ("loaded", "accuranker", "acme.com"),
        "rank-tracker_2026-04-04.csv": ("loaded", "generic", "acme.com"),
    }


def test_semrush_position_tracking_is_unnested_per_date_and_target(warehouse):
    results, con = warehouse
    # 2 keywords x 2 dates x 2 targets; the `_difference` column is not a date
    assert results["position-tracking-rankings-overview.csv"].rows_loaded == 8
    raw = con.execute(
        """select keyword, ranking_date, target_domain, position, serp_feature, url,
                  search_volume, tags
           from raw.rankings_tracker where _format = 'semrush_position_tracking'
             and target_domain = 'acme.com' order by keyword, ranking_date"""
    ).fetchall()
    assert raw == [
        # `-` (not ranking) is no position
        ("hiking boots", "2026-04-01", "acme.com", None, None, None, "5400", "head"),
        ("hiking boots", "2026-04-02", "acme.com", None, None, None, "5400", "head"),
        ("tents", "2026-04-01", "acme.com", "3", None, "https://www.acme.com/tents/", "9900",
         "product,head"),
        ("tents", "2026-04-02", "acme.com", "2", "featured snippet",
         "https://www.acme.com/tents/", "9900", "product,head"),
    ]  # fmt: skip
    # competitor columns land under the competitor's domain, not the project's
    assert staged(con, "semrush") == [
        (site, date(2026, 4, day), kw, pos, page, vol, tags)
        for site, day, kw, pos, page, vol, tags in [
            ("acme.com", 1, "hiking boots", None, None, 5400.0, ["head"]),
            ("acme.com", 2, "hiking boots", None, None, 5400.0, ["head"]),
            ("acme.com", 1, "tents", 3.0, "acme.com/tents", 9900.0, ["product", "head"]),
            ("acme.com", 2, "tents", 2.0, "acme.com/tents", 9900.0, ["product", "head"]),
            ("rival.com", 1, "hiking boots", 12.0, "rival.com/boots", 5400.0, ["head"]),
            ("rival.com", 2, "hiking boots", 11.0, "rival.com/boots", 5400.0, ["head"]),
            ("rival.com", 1, "tents", 7.0, "rival.com/tents", 9900.0, ["product", "head"]),
            ("rival.com", 2, "tents", 8.0, "rival.com/tents", 9900.0, ["product", "head"]),
        ]
    ]


def test_se_ranking_wide_dates_become_rows_and_markers_null(warehouse):
    results, con = warehouse
    assert results["se-ranking-export.csv"].rows_loaded == 6
    assert staged(con, "se_ranking") == [
        ("acme.com", date(2026, 4, 1), "sleeping bags", None, "acme.com/sleeping-bags", 2900.0, []),
        ("acme.com", date(2026, 4, 2), "sleeping bags", None, "acme.com/sleeping-bags", 2900.0, []),
        ("acme.com", date(2026, 4, 3), "sleeping bags", 61.0, "acme.com/sleeping-bags", 2900.0, []),
        ("acme.com", date(2026, 4, 1), "tents", 4.0, "acme.com/tents", 9900.0, ["product"]),
        ("acme.com", date(2026, 4, 2), "tents", 3.0, "acme.com/tents", 9900.0, ["product"]),
        ("acme.com", date(2026, 4, 3), "tents", None, "acme.com/tents", 9900.0, ["product"]),
    ]  # fmt: skip


def test_ahrefs_rank_tracker_utf16_export(warehouse):
    _, con = warehouse
    assert staged(con, "ahrefs") == [
        ("acme.com", date(2026, 4, 2), "backpacks", None, None, 6600.0, ["product"]),
        ("acme.com", date(2026, 4, 2), "tents", 3.0, "acme.com/tents", 9900.0, ["product", "head"]),
    ]  # fmt: skip
    features = con.execute(
        "select serp_feature from staging.stg_rankings__tracker where source = 'ahrefs' "
        "and keyword = 'tents'"
    ).fetchone()
    assert features == ("Sitelinks, Image pack",)


def test_accuranker_and_generic_long_exports(warehouse):
    _, con = warehouse
    assert staged(con, "accuranker") == [
        ("acme.com", date(2026, 4, 3), "camping gear", None, None, 4400.0, ["head"]),
        ("acme.com", date(2026, 4, 3), "tents", 5.0, "acme.com/tents", 9900.0, ["product", "head"]),
    ]  # fmt: skip
    assert staged(con, "generic") == [
        ("acme.com", date(2026, 4, 4), "hiking boots", None, None, 5400.0, ["head"]),
        ("acme.com", date(2026, 4, 4), "tents", 6.0, "acme.com/tents", 9900.0, ["product", "head"]),
    ]  # fmt: skip


def test_site_comes_from_the_file_name_when_no_url_names_it(tmp_path, con):
    path = write(
        tmp_path / "rankings" / "acme.com-rankings_2026-04-04.csv",
        "Keyword,Date,Position\ntents,2026-04-04,-\n",
    )
    result = load_file(con, path, "rankings")
    assert (result.status, result.source, result.site, result.rows_loaded) == (
        "loaded",
        "generic",
        "acme.com",
        1,
    )


def test_a_rank_file_naming_no_site_is_rejected_with_the_reason(tmp_path, con):
    path = write(
        tmp_path / "rankings" / "rankings.csv", "Keyword,Date,Position\ntents,2026-04-04,-\n"
    )
    result = load_file(con, path, "rankings")
    assert result.status == "rejected"
    assert "cannot tell which site" in result.error
    assert (tmp_path / "rankings" / "_rejected" / "rankings.csv").exists()
    assert con.execute("select count(*) from raw.rankings_tracker").fetchone() == (0,)


def test_site_of_a_long_file_is_the_most_common_url_domain(tmp_path, con):
    path = write(
        tmp_path / "rankings" / "rival.com-rankings.csv",
        "Keyword,Date,Position,URL\n"
        "tents,2026-04-04,2,https://shop.acme.com/tents\n"
        "boots,2026-04-04,5,https://www.acme.com/boots\n"
        "bags,2026-04-04,9,https://rival.com/bags\n",
    )
    assert load_file(con, path, "rankings").site == "acme.com"


def test_a_backlink_zip_must_still_hold_exactly_one_csv(tmp_path, con):
    path = write_zip(
        tmp_path / "backlinks" / "acme.com-backlinks_2026-04-04.zip",
        {"a.csv": "Target URL,Source URL\n", "b.csv": "Target URL,Source URL\n"},
    )
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected"
    assert "exactly one CSV file, found 2" in result.error


def test_a_zip_of_unrelated_csvs_in_rankings_is_rejected(tmp_path, con):
    path = write_zip(
        tmp_path / "rankings" / "acme.com-stuff.zip",
        {"a.csv": "foo,bar\n1,2\n", "b.csv": "baz\n3\n"},
    )
    result = load_file(con, path, "rankings")
    assert result.status == "rejected"
    assert "exactly one CSV file, found 2" in result.error


def test_a_malformed_line_of_a_wide_export_is_counted_once_and_the_rest_loads(tmp_path, con):
    path = write(
        tmp_path / "rankings" / "se-ranking.csv",
        "Keyword,URL,Search volume,Tags,01.04.2026,02.04.2026\n"
        "tents,https://acme.com/tents/,9900,product,4,3\n"
        "broken,https://acme.com/x/,1,,2,2,2,2,2\n"
        "boots,https://acme.com/boots/,5400,,9,8\n",
    )
    result = load_file(con, path, "rankings")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 4, 1)
    assert "line 3" in result.error
