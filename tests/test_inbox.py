"""Inbox files in the real vendor formats -> raw tables and the ledger."""

import codecs
import zipfile
from pathlib import Path

import pytest

from ingest.inbox import load_file, scan_inbox

pytestmark = pytest.mark.unit

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


MAJESTIC_HEADER = (
    "Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date,"
    "FlagNoFollow,FlagImageLink,FlagRedirect,FlagFrame,FlagOldCrawl,FlagAltText,"
    "FlagMention,SourceCitationFlow,SourceTrustFlow\n"
)


def majestic_rows(n: int, anchor: str = "a") -> str:
    return "".join(
        f"https://acme.com/p{i},https://src{i}.example.org/,{anchor},2026-04-20,2025-12-01,"
        ",,,,,,,1,2\n"
        for i in range(n)
    )


def test_malformed_rows_are_counted_and_reported_and_the_good_rows_load(tmp_path, con):
    path = write_text(
        tmp_path / "backlinks" / "rival_2026-05-02.csv",
        MAJESTIC_HEADER
        + majestic_rows(3)
        + "https://acme.com/x,https://y.example.org/,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o\n"
        + majestic_rows(2),
    )
    result = load_file(con, path, "backlinks")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 5, 1)
    assert "line 5" in result.error
    row = con.execute("select rows_loaded, rows_rejected, error from ops.ingested_files").fetchone()
    assert row[:2] == (5, 1) and "line 5" in row[2]


def test_a_crash_mid_load_leaves_the_warehouse_unchanged_and_the_file_in_place(
    tmp_path, con, monkeypatch
):
    import ingest.inbox.load

    path = write_text(
        tmp_path / "backlinks" / "rival_2026-05-02.csv", MAJESTIC_HEADER + majestic_rows(3000)
    )

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.inbox.load, "detect_site", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        load_file(con, path, "backlinks")
    assert con.execute("select count(*) from raw.backlinks_majestic").fetchone()[0] == 0
    assert ledger(con) == []
    assert path.exists()
    monkeypatch.undo()
    assert load_file(con, path, "backlinks").rows_loaded == 3000


def test_header_only_file_loads_zero_rows(tmp_path, con):
    path = write_text(tmp_path / "backlinks" / "rival_2026-05-02.csv", MAJESTIC_HEADER)
    result = load_file(con, path, "backlinks")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 0, 0)


def test_truncated_utf16_file_is_rejected_with_the_reason(tmp_path, con):
    path = write_ahrefs_utf16(
        tmp_path / "backlinks" / "acme.com_2026-05-01.csv",
        [ahrefs_row("https://x.example.org/", "https://acme.com/")],
    )
    path.write_bytes(path.read_bytes()[:-1])
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected" and "odd byte count" in result.error
    assert (tmp_path / "backlinks" / "_rejected" / f"{path.name}.error.txt").exists()


def test_wrong_delimiter_rows_reject_the_file_with_a_hint(tmp_path, con):
    rows = majestic_rows(4).replace(",", ";")
    path = write_text(tmp_path / "backlinks" / "rival_2026-05-02.csv", MAJESTIC_HEADER + rows)
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected" and "wrong delimiter" in result.error
    assert con.execute("select count(*) from raw.backlinks_majestic").fetchone()[0] == 0


def test_windows_1252_file_is_transcoded(tmp_path, con):
    path = write_text(
        tmp_path / "backlinks" / "rival_2026-05-02.csv",
        MAJESTIC_HEADER + majestic_rows(2, anchor="tente légère à 20 €"),
        encoding="cp1252",
    )
    assert load_file(con, path, "backlinks").rows_loaded == 2
    assert (
        con.execute("select distinct anchor_text from raw.backlinks_majestic").fetchone()[0]
        == "tente légère à 20 €"
    )


def test_a_one_megabyte_field_loads_intact(tmp_path, con):
    big = "x" * 1_000_000
    path = write_ahrefs_utf16(
        tmp_path / "backlinks" / "acme.com_2026-05-01.csv",
        [ahrefs_row("https://x.example.org/", "https://acme.com/") for _ in range(2)],
    )
    text = path.read_bytes().decode("utf-16").replace("Best tents of 2026", big, 1)
    path.write_bytes(codecs.BOM_UTF16_LE + text.lstrip("\ufeff").encode("utf-16-le"))
    assert load_file(con, path, "backlinks").rows_loaded == 2
    assert (
        con.execute(
            "select max(length(referring_page_title)) from raw.backlinks_ahrefs"
        ).fetchone()[0]
        == 1_000_000
    )


def test_sql_looking_headers_values_and_paths_are_only_data(tmp_path, con):
    con.execute("create table raw.y as select 1 as keep")
    evil = '"x"; drop table raw.y; --'
    folder = tmp_path / 'it\'s a "quoted" folder' / "backlinks"
    path = write_text(
        folder / 'rival\'s "export" 2026-05-02.csv',
        MAJESTIC_HEADER.replace("\n", f',"{evil.replace(chr(34), chr(34) * 2)}"\n')
        + f'https://acme.com/p,https://s.example.org/,"{evil.replace(chr(34), chr(34) * 2)}",'
        "2026-04-20,2025-12-01,,,,,,,,1,2,x\n",
    )
    result = load_file(con, path, "backlinks")
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert con.execute("select anchor_text from raw.backlinks_majestic").fetchone()[0] == evil
    assert con.execute("select keep from raw.y").fetchone()[0] == 1
    assert ledger(con)[0][0] == path.name


def test_empty_file_is_rejected(tmp_path, con):
    path = write_text(tmp_path / "backlinks" / "empty.csv", "")
    result = load_file(con, path, "backlinks")
    assert result.status == "rejected"
    assert "empty" in result.error


def test_a_file_replaced_under_the_same_name_loads_as_new_content(tmp_path, con):
    path = tmp_path / "backlinks" / "acme.com-backlinks_2026-05-01.csv"
    write_ahrefs_utf16(path, [ahrefs_row("https://x.example.org/", "https://acme.com/")])
    assert load_file(con, path, "backlinks").status == "loaded"
    assert load_file(con, path, "backlinks").status == "skipped"
    write_ahrefs_utf16(
        path,
        [
            ahrefs_row("https://x.example.org/", "https://acme.com/"),
            ahrefs_row("https://y.example.org/", "https://acme.com/"),
        ],
    )
    result = load_file(con, path, "backlinks")
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert con.execute("select count(*) from raw.backlinks_ahrefs").fetchone()[0] == 3
    numbers = con.execute(
        "select list(_row_number order by _row_number) from raw.backlinks_ahrefs "
        "group by _file_sha256 order by count(*)"
    ).fetchall()
    assert numbers == [([1],), ([1, 2],)]
