"""Every backlink file format through the inbox, then the marts a user checks (layer d).

A small hand-made world for `acme.com` (competitor `rival.com`), exported by several vendors in
their real formats over three months; the expected marts are worked out by hand from the
backlink-life, merge and tier rules of docs/warehouse.md.
"""

import codecs
import zipfile
from datetime import date

import duckdb
import pytest

from ingest.settings import Paths
from orchestration.cli import run_pipeline
from tests.conftest import use_home
from tests.demo_files import AHREFS_LEGACY_HEADER

pytestmark = pytest.mark.e2e

CONFIG = """
sites:
  - domain: acme.com
    competitors: [rival.com]
    relevance_topics: [camping]
    disavow: [spam-farm.biz]
    objectives:
      - id: links
        title: More links
        period: {start: 2026-04-01, end: 2026-06-30}
        key_results:
          - id: rd
            metric: referring_domains
            target: 10
          - id: dr
            metric: domain_authority
            target: 50
"""

CURRENT_HEADER = [
    "Referring page title",
    "Referring page URL",
    "Domain rating",
    "UR",
    "Target URL",
    "Anchor",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "First seen",
    "Last seen",
    "Lost",
    "Is spam",
]
SEMRUSH_HEADER = (
    "Page ascore,Source title,Source url,Target url,Anchor,External links,Internal links,"
    "Nofollow,Sponsored,Ugc,Text,Frame,Form,Image,Sitewide,First seen,Last seen,New link,"
    "Lost link"
)


def utf16_tab(rows: list[list[str]]) -> bytes:
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def current_row(
    title,
    source,
    dr,
    target,
    content="true",
    nofollow="false",
    first="",
    lost="",
    spam="false",
    link_type="text",
):
    return [
        title,
        source,
        dr,
        "10",
        target,
        "anchor",
        link_type,
        content,
        nofollow,
        "false",
        "false",
        first,
        "2026-04-30 08:00:00",
        lost,
        spam,
    ]


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    home = tmp_path_factory.mktemp("backlinks_home")
    (home / "linkokr.yml").write_text(CONFIG)
    inbox = home / "data" / "inbox"
    backlinks = inbox / "backlinks"
    backlinks.mkdir(parents=True)
    metrics = inbox / "domain_metrics"
    metrics.mkdir()

    # 1. Ahrefs legacy, UTF-16 TAB, 2026-03-01: L1 alpha (DR 70), L2 beta nofollow, L3 lost.
    (backlinks / "acme.com-backlinks_2026-03-01.csv").write_bytes(
        utf16_tab(
            [
                AHREFS_LEGACY_HEADER,
                [
                    "1",
                    "70",
                    "20",
                    "https://blog.alpha.com/camping-tents",
                    "Camping tents we love",
                    "https://www.acme.com/tents/",
                    "see",
                    "acme tents",
                    "now",
                    "Dofollow",
                    "",
                    "2026-01-10",
                    "2026-02-28",
                    "",
                ],
                [
                    "2",
                    "65",
                    "15",
                    "https://forum.beta.org/viewtopic.php?t=1&utm_source=x",
                    "Forum",
                    "https://acme.com/",
                    "",
                    "acme",
                    "",
                    "Nofollow",
                    "",
                    "2026-02-01",
                    "2026-02-28",
                    "",
                ],
                [
                    "3",
                    "30",
                    "5",
                    "http://old.gamma.net/x",
                    "Old",
                    "https://acme.com/a",
                    "",
                    "a",
                    "",
                    "Dofollow",
                    "lost",
                    "2025-12-01",
                    "2026-02-20",
                    "2026-02-20",
                ],
            ]
        )
    )
    # 2. Ahrefs current, UTF-8 comma, zipped, 2026-04-01: L1, L2, L4 (flagged spam).
    current = (
        "\n".join(
            ",".join(f'"{v}"' for v in row)
            for row in [
                CURRENT_HEADER,
                current_row(
                    "Camping tents we love",
                    "https://blog.alpha.com/camping-tents",
                    "71",
                    "https://www.acme.com/tents/",
                    first="2026-01-10 09:00:00",
                ),
                current_row(
                    "Forum",
                    "https://forum.beta.org/viewtopic.php?t=1",
                    "65",
                    "https://acme.com/",
                    nofollow="true",
                    first="2026-02-01 00:00:00",
                ),
                current_row(
                    "Buy links",
                    "https://spam-links.example.com/p",
                    "12",
                    "https://acme.com/tents",
                    first="2026-03-15 00:00:00",
                    spam="true",
                ),
            ]
        )
        + "\n"
    )
    with zipfile.ZipFile(backlinks / "acme.com-backlinks-subdomains_2026-04-01.zip", "w") as z:
        z.writestr("acme.com-backlinks-subdomains.csv", current)
    # 3. Semrush, UTF-8 with BOM, 2026-04-05: L1 (www + utm variant), L5 only Semrush (sitewide).
    (backlinks / "acme.com_backlinks_2026-04-05.csv").write_text(
        "\ufeff" + SEMRUSH_HEADER + "\n"
        '55,"Camping tents we love",https://www.blog.alpha.com/camping-tents?utm_medium=x,'
        "https://acme.com/tents,acme,3,9,false,false,false,true,false,false,false,false,"
        "2026-01-12,2026-04-04,false,false\n"
        '45,"Gear list",https://epsilon.io/gear,https://acme.com/backpacks,bags,3,9,false,'
        "false,false,true,false,false,false,true,2026-03-20,2026-04-04,true,false\n",
        encoding="utf-8",
    )
    # 4. Moz, old format with metadata lines, 2026-04-02, for rival.com: delta is a gap domain.
    (backlinks / "rival.com-moz-inbound_2026-04-02.csv").write_text(
        "Moz Link Explorer\nroot domain: rival.com\n\n"
        "URL,Title,Anchor Text,Spam Score,Page Authority,Domain Authority,Target URL,"
        "Only rel=nofollow,Followable,301\n"
        "gap.delta.com/review,Camping review,rival,2%,40,50,rival.com/,No,Yes,No\n"
    )
    # 5. Majestic, spaced headers, 2026-04-03, for rival.com: alpha also links to acme.
    (backlinks / "rival.com_majestic_2026-04-03.csv").write_text(
        "Target URL,Source URL,Anchor Text,Last Crawled,First Indexed,Flag No Follow,"
        "Flag Image Link,Flag Redirect,Flag Frame,Source Trust Flow,Source Citation Flow\n"
        "https://rival.com/,https://blog.alpha.com/rival,rival,2026-04-01,2025-11-01,,,,,33,40\n"
    )
    # 6. Ahrefs current, UTF-16, 2026-05-01: full snapshot without L2 -> L2 lost on 05-01.
    (backlinks / "acme.com-backlinks-subdomains_2026-05-01_10-00-00.csv").write_bytes(
        utf16_tab(
            [
                CURRENT_HEADER,
                current_row(
                    "Camping tents we love",
                    "https://blog.alpha.com/camping-tents",
                    "72",
                    "https://acme.com/tents",
                    first="2026-01-10 09:00:00",
                ),
                current_row(
                    "Buy links",
                    "https://spam-links.example.com/p",
                    "12",
                    "https://acme.com/tents",
                    first="2026-03-15 00:00:00",
                    spam="true",
                ),
            ]
        )
    )
    (metrics / "acme.com-domain-rating-history_2026-05-01.csv").write_text(
        "Date,Domain Rating\n2026-03-30,41\n2026-04-15,43\n2026-04-29,44\n"
    )

    with pytest.MonkeyPatch.context() as mp:
        use_home(mp, home)
        assert run_pipeline(Paths.from_env()) == 0
    con = duckdb.connect(str(home / "warehouse" / "linkokr.duckdb"), read_only=True)
    yield con
    con.close()


def link(con, source_domain: str, site: str = "acme.com") -> dict:
    rows = con.execute(
        "select * from marts.fct_backlinks where site = ? and source_domain = ?",
        [site, source_domain],
    ).fetchall()
    assert len(rows) == 1, (source_domain, rows)
    return dict(zip([d[0] for d in con.description], rows[0], strict=True))


def test_every_file_loaded(marts):
    rows = marts.execute(
        "select file_name, status, source, site from ops.ingested_files order by file_name"
    ).fetchall()
    assert {r[1] for r in rows} == {"loaded"} and len(rows) == 7
    sites = {r[0]: r[3] for r in rows}
    assert sites["rival.com-moz-inbound_2026-04-02.csv"] == "rival.com"
    assert sites["acme.com-domain-rating-history_2026-05-01.csv"] == "acme.com"


def test_a_link_seen_by_two_vendors_is_one_row_with_merged_values(marts):
    alpha = link(marts, "alpha.com")
    assert alpha["vendors"] == ["ahrefs", "semrush"]
    assert alpha["source_page"] == "blog.alpha.com/camping-tents"
    assert alpha["target_page"] == "acme.com/tents"
    assert alpha["first_seen_date"] == date(2026, 1, 10)
    assert (alpha["authority_score"], alpha["authority_source"]) == (72, "ahrefs_dr")
    assert alpha["is_live"] and alpha["lost_date"] is None
    assert (alpha["placement"], alpha["is_relevant"], alpha["quality_tier"]) == (
        "contextual",
        True,
        "tier_1",
    )


def test_a_link_missing_from_a_later_full_snapshot_is_lost_that_day(marts):
    beta = link(marts, "beta.org")
    assert beta["lost_date"] == date(2026, 5, 1) and not beta["is_live"]
    assert beta["is_nofollow"] and beta["quality_tier"] == "tier_3"  # nofollow, DR >= 60


def test_a_link_reported_lost_keeps_its_loss_date(marts):
    gamma = link(marts, "gamma.net")
    assert gamma["lost_date"] == date(2026, 2, 20) and not gamma["is_live"]


def test_spam_flag_makes_a_link_toxic_and_semrush_only_links_stay_live(marts):
    assert link(marts, "example.com")["quality_tier"] == "toxic"
    epsilon = link(marts, "epsilon.io")
    assert epsilon["vendors"] == ["semrush"] and epsilon["is_live"]
    assert (epsilon["placement"], epsilon["authority_source"], epsilon["quality_tier"]) == (
        "sitewide",
        "semrush_as",
        "tier_2",
    )


def test_referring_domains_daily_counts_new_live_and_lost(marts):
    def day(d):
        return dict(
            (tier, (live, new, lost))
            for tier, live, new, lost in marts.execute(
                "select quality_tier, live_referring_domains, new_referring_domains, "
                "lost_referring_domains from marts.fct_referring_domains_daily "
                "where site = 'acme.com' and date = ?",
                [d],
            ).fetchall()
        )

    may = day(date(2026, 5, 1))
    assert may["tier_1"] == (1, 0, 0)  # alpha
    assert may["tier_2"] == (1, 0, 0)  # epsilon
    assert may["toxic"] == (1, 0, 0)  # spam-links
    assert may["tier_3"] == (0, 0, 1)  # beta lost that day
    assert day(date(2026, 3, 20))["tier_2"] == (1, 1, 0)  # epsilon first seen


def test_link_gap_lists_domains_linking_only_to_the_competitor(marts):
    gap = marts.execute(
        "select referring_domain, competitors, quality_tier, as_of_date "
        "from marts.fct_link_gap where site = 'acme.com'"
    ).fetchall()
    assert gap == [("delta.com", ["rival.com"], "tier_2", date(2026, 5, 1))]


def test_domain_rating_history_export_feeds_domain_authority(marts):
    rows = dict(
        marts.execute(
            "select date, value from marts.fct_domain_authority_daily "
            "where site = 'acme.com' and metric = 'ahrefs_dr'"
        ).fetchall()
    )
    assert rows[date(2026, 4, 20)] == 43  # carried forward from 04-15
    dr = marts.execute(
        "select value, status from marts.fct_key_result_progress "
        "where kr_id = 'links.dr' and is_latest"
    ).fetchone()
    assert dr[0] == 44
