"""`linkokr disavow`: the demo site's toxic referring domains as a file Google's disavow tool
takes, and the command's answers when the site is ambiguous or nothing is built yet."""

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_config
from orchestration.cli import main
from tests.conftest import use_home

DOMAIN_LINE = re.compile(r"^domain:[a-z0-9.-]+$")


def parse_disavow_file(path: Path) -> tuple[list[str], list[str]]:
    """The comment lines and the domains of a disavow file, checked against Google's format:
    UTF-8 text, each line a `#` comment or `domain:<ascii domain>`, at most 100,000 lines, 2 MB."""
    raw = path.read_bytes()
    assert len(raw) <= 2 * 1024 * 1024
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) <= 100_000
    comments = [line for line in lines if line.startswith("#")]
    entries = [line for line in lines if not line.startswith("#")]
    assert all(DOMAIN_LINE.match(line) for line in entries), entries
    return comments, [line.removeprefix("domain:") for line in entries]


def test_demo_disavow_file_lists_the_toxic_domains_not_yet_disavowed(
    demo_home, tmp_path, monkeypatch, capsys
):
    """The demo's own site gets Ahrefs-flagged spam domains; its config disavows one more."""
    use_home(monkeypatch, tmp_path)  # the default output folder; the demo's data read-only
    monkeypatch.setenv("LINKOKR_CONFIG", str(demo_home / "linkokr.yml"))
    monkeypatch.setenv("LINKOKR_WAREHOUSE", str(demo_home / "warehouse" / "linkokr.duckdb"))

    assert main(["disavow"]) == 0  # the demo has one own site: no --site needed

    written = tmp_path / "disavow" / "acme-outdoor.com-disavow.txt"
    assert str(written) in capsys.readouterr().out
    comments, domains = parse_disavow_file(written)
    assert comments[0].startswith("# ") and date.today().isoformat() in comments[0]
    assert len(domains) == len(set(domains))
    (site,) = load_config(demo_home / "linkokr.yml").sites
    assert site.disavow and not set(domains) & set(site.disavow)

    con = duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True)
    try:
        candidates = con.execute(
            """select referring_domain, is_already_disavowed, reasons
               from marts.fct_disavow_candidates where site = 'acme-outdoor.com'"""
        ).fetchall()
    finally:
        con.close()
    assert sorted(domains) == sorted(d for d, disavowed, _ in candidates if not disavowed)
    assert len(domains) >= 10  # the demo's spam-flagged stock domains
    reasons = {d: r for d, _, r in candidates}
    assert all(reasons[d] for d in domains)
    assert "in the site's disavow list" in reasons["spammy-links.biz"]

    # the same file on stdout with `--output -`
    assert main(["disavow", "--site", "acme-outdoor.com", "--output", "-"]) == 0
    assert capsys.readouterr().out == written.read_text(encoding="utf-8")


def _warehouse(path: Path, sites: list[tuple[str, bool]], candidates: list[tuple]) -> Path:
    """A warehouse holding just the two marts the command reads, in their contracted shape."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute("create table marts.dim_sites (site varchar, is_competitor boolean)")
        con.executemany("insert into marts.dim_sites values (?, ?)", sites)
        con.execute(
            """create table marts.fct_disavow_candidates (
                site varchar, referring_domain varchar, reasons varchar[], toxic_links bigint,
                live_toxic_links bigint, best_spam_score double, first_seen_date date,
                is_already_disavowed boolean)"""
        )
        for *row, disavowed in candidates:
            con.execute(
                "insert into marts.fct_disavow_candidates values (?, ?, ?, 1, 1, null, ?, ?)",
                [*row, date(2026, 1, 1), disavowed],
            )
    finally:
        con.close()
    return path


@pytest.mark.unit
def test_several_sites_need_site_and_newly_listed_domains_are_left_out(
    tmp_path, monkeypatch, capsys
):
    home = use_home(monkeypatch, tmp_path)
    _warehouse(
        home / "warehouse" / "linkokr.duckdb",
        [("acme.com", False), ("shop.co.uk", False), ("rival.com", True)],
        [
            ("acme.com", "spam.biz", ["flagged as spam by ahrefs"], False),
            ("acme.com", "old.biz", ["in the site's disavow list"], True),
            # added to linkokr.yml after the last run: not in the mart's flag yet
            ("acme.com", "new-listed.biz", ["spam_score >= 60"], False),
            ("acme.com", "bücher.de", ["spam_score >= 60"], False),
            ("acme.com", "under_score.biz", ["spam_score >= 60"], False),
            ("shop.co.uk", "other.biz", ["flagged as spam by ahrefs"], False),
        ],
    )
    (home / "linkokr.yml").write_text(
        "sites:\n"
        "  - domain: acme.com\n"
        "    competitors: [rival.com]\n"
        "    disavow: [old.biz, new-listed.biz]\n"
        "  - domain: shop.co.uk\n",
        encoding="utf-8",
    )

    with pytest.raises(SystemExit) as exit_:
        main(["disavow"])
    assert str(exit_.value) == (
        "linkokr: several sites, choose one with --site: acme.com, shop.co.uk"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["disavow", "--site", "rival.com"])
    assert str(exit_.value) == (
        "linkokr: 'rival.com' is not an own site in the warehouse (own sites: acme.com, shop.co.uk)"
    )

    out = tmp_path / "out" / "acme.txt"
    assert main(["disavow", "--site", "acme.com", "--output", str(out)]) == 0
    comments, domains = parse_disavow_file(out)
    assert domains == ["spam.biz", "xn--bcher-kva.de"]  # internationalized names in punycode
    assert "left out: 2 already in the site's disavow list" in "\n".join(comments)
    said = capsys.readouterr()
    assert "(2 already in the disavow list left out)" in said.out
    assert "left out 'under_score.biz': not a domain name Google accepts" in said.err


@pytest.mark.unit
def test_no_warehouse_or_no_mart_says_to_run_first(tmp_path, monkeypatch):
    home = use_home(monkeypatch, tmp_path / "home")
    with pytest.raises(SystemExit) as exit_:
        main(["disavow"])
    assert str(exit_.value) == (
        f"linkokr: no warehouse at {home / 'warehouse' / 'linkokr.duckdb'}: run `linkokr run` first"
    )

    warehouse = home / "warehouse" / "linkokr.duckdb"
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()  # a warehouse from before fct_disavow_candidates
    with pytest.raises(SystemExit) as exit_:
        main(["disavow"])
    assert str(exit_.value) == (
        "linkokr: the disavow candidates are not built yet: run `linkokr run` first"
    )
    assert not (home / "disavow").exists()


@pytest.mark.unit
def test_a_site_without_toxic_domains_gets_a_header_only_file(tmp_path, monkeypatch):
    home = use_home(monkeypatch, tmp_path)
    _warehouse(home / "warehouse" / "linkokr.duckdb", [("acme.com", False)], [])

    assert main(["disavow"]) == 0

    comments, domains = parse_disavow_file(home / "disavow" / "acme.com-disavow.txt")
    assert domains == []
    assert comments[-1] == "# No toxic referring domains to disavow."
