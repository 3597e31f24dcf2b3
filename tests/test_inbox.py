"""Inbox files in the real vendor formats -> raw tables and the ledger (layer a of style.md)."""

import codecs
import zipfile
from pathlib import Path

import duckdb
import pytest

from ingest.inbox import ensure_raw_tables, load_file, scan_inbox

AHREFS_HEADER = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "First seen",
    "Last seen",
    "Lost",
]


def ahrefs_row(source: str, target: str, dr: str = "55", lost: str = "") -> list[str]:
    row = dict.fromkeys(AHREFS_HEADER, "")
    row.update(
        {
            "Referring page title": "Best tents of 2026",
            "Referring page URL": source,
            "Domain rating": dr,
            "UR": "12",
            "Target URL": target,
            "Anchor": "tents",
            "Type": "text",
            "Content": "true",
            "Nofollow": "false",
            "UGC": "false",
            "Sponsored": "false",
            "First seen": "2026-05-01 10:00:00",
            "Last seen": "2026-06-01 09:00:00",
            "Lost": lost,
        }
    )
    return [row[h] for h in AHREFS_HEADER]


def write_ahrefs_utf16(path: Path, rows: list[list[str]]) -> Path:
    text = "\r\n".join("\t".join(r) for r in [AHREFS_HEADER, *rows]) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def con():
    connection = duckdb.connect()
    ensure_raw_tables(connection)
    yield connection
    connection.close()


def ledger(con) -> list[tuple]:
    return con.execute(
        "select file_name, status, source, site, snapshot_date::varchar, rows_loaded "
        "from ops.ingested_files order by file_name"
    ).fetchall()


def test_ahrefs_utf16_export_loads_with_site_and_snapshot_date(tmp_path, con):
    path = write_ahrefs_utf16(
        tmp_path / "backlinks" / "acme.com-backlinks-subdomains_2026-04-18_15-44-46.csv",
        [
            ahrefs_row(
                "https://blog.example.org/tents?utm_source=x", "https://www.acme.com/tents/"
            ),
            ahrefs_row("https://hiking.example.net/", "https://acme.com/", dr="71"),
            ahrefs_row("https://other.example.com/", "https://elsewhere.com/", dr="3"),
        ],
    )
    result = load_file(con, path, "backlinks")
    assert (result.status, result.source, result.site) == ("loaded", "ahrefs", "acme.com")
    assert str(result.snapshot_date) == "2026-04-18"
    rows = con.execute(
        "select referring_page_url, domain_rating, target_url, _format, _row_number "
        "from raw.backlinks_ahrefs order by _row_number"
    ).fetchall()
    assert rows[1] == (
        "https://hiking.example.net/",
        "71",
        "https://acme.com/",
        "ahrefs_current",
        2,
    )
    assert len(rows) == 3


def test_each_vendor_format_lands_in_its_raw_table(tmp_path, con):
    inbox = tmp_path / "inbox"
    write_text(
        inbox / "backlinks" / "acme.com-backlinks_2026-05-01.csv",
        "\ufeffPage ascore,Source title,Source url,Target url,Anchor,External links,"
        "Internal links,Nofollow,Sponsored,Ugc,Text,Frame,Form,Image,Sitewide,First seen,"
        "Last seen,New link,Lost link\n"
        '41,"Camping, hiking & more",https://camp.example.org/list,https://acme.com/tents,'
        "tents,10,20,false,false,false,true,false,false,false,false,2026-03-01,2026-04-30,"
        "false,false\n",
    )
    write_text(
        inbox / "backlinks" / "rival.com_majestic_2026-05-02.csv",
        "Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date,"
        "FlagNoFollow,FlagImageLink,FlagRedirect,FlagFrame,FlagOldCrawl,FlagAltText,"
        "FlagMention,SourceCitationFlow,SourceTrustFlow,SourceTopicalTrustFlow_Topic_0\n"
        "https://rival.com/,https://gear.example.org/a,rival,2026-04-20,2025-12-01,+,,,,,,,"
        "30,22,Recreation/Camping\n",
        encoding="cp1252",
    )
    write_text(
        inbox / "backlinks" / "peak.com-moz-2026-05-03.csv",
        "Moz Link Explorer export\nTarget: peak.com\nExported 2026-05-03\n\n"
        "URL,Title,Anchor Text,Spam Score,Page Authority,Domain Authority,Target URL,"
        "Link Type,Date First Seen,Date Last Seen,Date Lost\n"
        "outdoors.example.com/review,Review,peak,3,30,45,peak.com/,follow,2026-01-05,"
        "2026-04-30,\n",
    )
    write_text(
        inbox / "rankings" / "rank-tracker_2026-05-03.csv",
        "Keyword,Tags,Date,Position,URL,Search Volume\n"
        "tents,product;head,2026-05-01,4,https://acme.com/tents,9900\n"
        "hiking boots,head,2026-05-01,>100,,5400\n",
    )
    results = [load_file(con, path, kind) for kind, path in scan_inbox(inbox)]
    assert [r.status for r in results] == ["loaded"] * 4
    assert {(r.source, r.site) for r in results} == {
        ("semrush", "acme.com"),
        ("majestic", "rival.com"),
        ("moz", "peak.com"),
        ("generic", "acme.com"),
    }
    title = con.execute("select source_title from raw.backlinks_semrush").fetchone()[0]
    assert title == "Camping, hiking & more"
    assert con.execute(
        "select flag_no_follow, flag_image_link from raw.backlinks_majestic"
    ).fetchone() == ("+", None)
    assert con.execute("select url, spam_score from raw.backlinks_moz").fetchone() == (
        "outdoors.example.com/review",
        "3",
    )
    assert con.execute("select count(*) from raw.rankings_tracker").fetchone()[0] == 2


def test_unknown_header_is_rejected_with_reason_and_the_batch_still_loads(tmp_path, con):
    inbox = tmp_path / "inbox"
    bad = write_text(inbox / "backlinks" / "a_mystery.csv", "foo,bar\n1,2\n")
    good = write_ahrefs_utf16(
        inbox / "backlinks" / "b_acme.com-backlinks_2026-05-01.csv",
        [ahrefs_row("https://x.example.org/", "https://acme.com/")],
    )
    results = [load_file(con, path, kind) for kind, path in scan_inbox(inbox)]
    assert [r.status for r in results] == ["rejected", "loaded"]
    assert not bad.exists()
    rejected = inbox / "backlinks" / "_rejected" / "a_mystery.csv"
    assert rejected.exists()
    reason = (inbox / "backlinks" / "_rejected" / "a_mystery.csv.error.txt").read_text()
    assert "line 1: unknown header" in reason
    assert good.exists()  # loaded files stay where they are
    assert [row[:2] for row in ledger(con)] == [
        ("a_mystery.csv", "rejected"),
        (good.name, "loaded"),
    ]
    # the rejected file is not picked up again
    assert [p.name for _, p in scan_inbox(inbox)] == [good.name]


def test_same_content_under_another_name_is_a_duplicate_and_loads_once(tmp_path, con):
    first = write_ahrefs_utf16(
        tmp_path / "backlinks" / "acme.com-backlinks_2026-05-01.csv",
        [ahrefs_row("https://x.example.org/", "https://acme.com/")],
    )
    copy = tmp_path / "backlinks" / "copy of export.csv"
    copy.write_bytes(first.read_bytes())
    assert load_file(con, first, "backlinks").status == "loaded"
    assert load_file(con, copy, "backlinks").status == "duplicate"
    assert load_file(con, first, "backlinks").status == "skipped"
    assert con.execute("select count(*) from raw.backlinks_ahrefs").fetchone()[0] == 1
    assert [row[1] for row in ledger(con)] == ["loaded", "duplicate"]


def test_zipped_export_takes_the_snapshot_date_from_the_zip_name(tmp_path, con):
    inner = write_ahrefs_utf16(
        tmp_path / "export.csv", [ahrefs_row("https://x.example.org/", "https://acme.com/")]
    )
    archive = tmp_path / "backlinks" / "acme.com-backlinks_2026-03-09.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as z:
        z.write(inner, "export.csv")
    result = load_file(con, archive, "backlinks")
    assert (result.status, str(result.snapshot_date), result.rows_loaded) == (
        "loaded",
        "2026-03-09",
        1,
    )


def test_a_file_that_breaks_mid_load_leaves_the_warehouse_unchanged(tmp_path, con):
    good_rows = "\n".join(
        f"https://acme.com/p{i},https://src{i}.example.org/,a,2026-04-20,2025-12-01,,,,,,,,1,2,"
        for i in range(3000)
    )
    path = write_text(
        tmp_path / "backlinks" / "rival_2026-05-02.csv",
        "Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date,"
        "FlagNoFollow,FlagImageLink,FlagRedirect,FlagFrame,FlagOldCrawl,FlagAltText,"
        "FlagMention,SourceCitationFlow,SourceTrustFlow\n"
        + good_rows
        + '\nhttps://acme.com/x,"unterminated quote,a,b\n',
    )
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected"
    assert con.execute("select count(*) from raw.backlinks_majestic").fetchone()[0] == 0
    assert ledger(con)[0][1] == "rejected"


def test_empty_file_is_rejected(tmp_path, con):
    path = write_text(tmp_path / "backlinks" / "empty.csv", "")
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected"
    assert "empty" in result.error
