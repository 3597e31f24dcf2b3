"""The OKR dashboard: a self-contained page a marketing lead opens from disk.

Fast tests render it from a small hand-built warehouse; the browser test opens the page built
from the demo warehouse in headless Chromium (Debian's `chromium` and `chromium-driver`) and
saves a full-page screenshot in the test's tmp dir (path printed) and to /tmp/okr_dashboard.png.
"""

import html
import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from ingest.config import load_config
from orchestration.defs.dashboard.assets import DASHBOARD, build_dashboard_asset
from serve.dashboard import build_dashboard, dashboard_path, write_dashboard
from tests.conftest import copy_demo_home

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EVIL_TITLE = '<script>alert("kr")</script> & co'


def small_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Two key results of one objective: one behind (a title with markup), one on track."""
    con.execute("create schema marts")
    con.execute(
        """create table marts.dim_key_results as
           select * from (values
             ('links.rd', 'links', 'Grow <b>links</b>', 'acme.com', ?, 'referring_domains',
              'up', 800.0, 1000.0, date '2026-10-01', date '2026-12-31', 'seo-team'),
             ('links.pos', 'links', 'Grow <b>links</b>', 'acme.com', 'Head terms to 2.8',
              'average_position', 'down', 5.2, 2.8, date '2026-10-01', date '2026-12-31', null)
           ) as t(kr_id, objective_id, objective_title, site, title, metric, direction,
                  baseline, target, start_date, end_date, owner)""",
        [EVIL_TITLE],
    )
    con.execute(
        """create table marts.fct_key_result_progress as
           select * from (values
             ('links.rd', date '2026-11-01', 850.0, 800.0, 1000.0, 0.25, 0.34, 0.74,
              'at_risk', 950.0, 'missed', 60),
             ('links.rd', date '2026-11-02', 912.0, 800.0, 1000.0, 0.56, 0.9032, 0.62,
              'behind', 990.0, 'missed', 59),
             ('links.pos', date '2026-11-02', 4.0, 5.2, 2.8, 0.5, 0.5, 1.0,
              'on_track', 2.9, 'missed', 59)
           ) as t(kr_id, date, value, baseline, target, progress, expected_progress, pace,
                  status, projected_value, projected_status, days_remaining)"""
    )


class ResourceCollector(HTMLParser):
    """Every URL the page would fetch: script/img/iframe `src` and link `href`."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "script":
            self.inline_scripts += 1
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_page_fetches_nothing_and_escapes_config_text():
    con = duckdb.connect()
    small_warehouse(con)
    page = build_dashboard(con, today=date(2026, 11, 3))

    collector = ResourceCollector()
    collector.feed(page)
    remote = [url for url in collector.urls if url.startswith(("http:", "https:", "//"))]
    assert remote == []
    assert collector.inline_scripts >= 2  # plotly.js once, then the figures
    assert page.count("Plotly.newPlot") == 2  # one trend chart per key result

    assert EVIL_TITLE not in page
    # Jinja's autoescape writes a double quote as &#34;
    assert "&lt;script&gt;alert(&#34;kr&#34;)&lt;/script&gt; &amp; co" in page
    assert "<b>links</b>" not in page
    # What a marketing lead reads on the card.
    assert "912 now (baseline 800, target 1,000) — behind" in page
    assert "target (lower is better)" in page  # the position key result


class Elements(HTMLParser):
    """Every element's attributes and text as a browser reads them (entities decoded)."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, list[str]]] = []
        self.open: list[tuple[str, dict, list[str]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, _, text in self.open:
            text.append(data)

    def texts(self, tag: str) -> list[str]:
        return ["".join(text) for name, _, text in self.elements if name == tag]

    def attributes(self, name: str) -> list[str]:
        return [attrs[name] for _, attrs, _ in self.elements if name in attrs]


def test_markup_in_a_site_or_key_result_id_stays_text():
    """A site or key-result id with markup (in text and in attributes) reaches the reader as
    text: no element is added to the page, and each value reads back as it was written."""
    evil_site = 'acme.com"><script>alert("site")</script>'
    evil_id = "links.rd'><img src=x onerror=alert(1)>"
    con = duckdb.connect()
    small_warehouse(con)
    for table in ("dim_key_results", "fct_key_result_progress"):
        con.execute(f"update marts.{table} set kr_id = ? where kr_id = 'links.rd'", [evil_id])
    con.execute("update marts.dim_key_results set site = ?", [evil_site])
    con.execute(
        """create table marts.fct_attribution_by_tier as
           select ? as site, '<i>tier</i>' as quality_tier, 30 as window_days, 3 as links,
                  2 as complete_links, 1.5 as median_position_change, 0.5 as share_improved,
                  2.0 as median_adjusted_sessions_lift_pct, 9 as median_days_to_rank_improvement""",
        [evil_site],
    )
    page = build_dashboard(con, today=date(2026, 11, 3))

    for raw in (evil_site, evil_id, "<script>alert(", "<img", "<i>tier"):
        assert raw not in page
    collector = ResourceCollector()
    collector.feed(page)
    assert collector.urls == ["data:,"]  # the favicon: no image or script from the data
    assert collector.inline_scripts == 4  # plotly.js, two trend charts, the attribution chart
    elements = Elements(page)
    assert elements.texts("h1") == [f"Link-building OKRs: {evil_site}"]
    assert evil_id in elements.attributes("data-kr-id")
    assert evil_id in elements.attributes("data-exception-kr-id")
    assert f"#kr-{evil_id}" in elements.attributes("href")
    assert elements.attributes("data-site") == [evil_site]
    assert "<i>tier</i>" in elements.texts("th")


def test_attribution_panel_waits_for_the_mart_then_draws_the_chart():
    con = duckdb.connect()
    small_warehouse(con)

    def attribution_state() -> str:
        page = build_dashboard(con, today=date(2026, 11, 3))
        return "chart" if 'data-attribution="chart"' in page else "empty"

    assert attribution_state() == "empty"
    assert "No attribution data yet" in build_dashboard(con)
    con.execute(
        """create table marts.fct_attribution_by_tier (
             site varchar, quality_tier varchar, window_days integer, links integer,
             complete_links integer, median_position_change double, share_improved double,
             median_adjusted_sessions_lift_pct double, median_days_to_rank_improvement double)"""
    )
    assert attribution_state() == "empty"
    con.execute(
        """insert into marts.fct_attribution_by_tier values
             ('acme.com', 'tier_1', 30, 12, 10, 1.5, 0.75, 12.0, 9),
             ('acme.com', 'tier_3', 30, 40, 31, 0.2, 0.5, 1.0, null),
             ('acme.com', 'tier_1', 90, 12, 4, 2.5, 0.8, 20.0, 21)"""
    )
    page = build_dashboard(con)
    assert attribution_state() == "chart"
    assert 'id="attribution-acme-com"' in page
    # links (with a complete window) · median days to a rank improvement, in words
    assert "12 links, 10 with a full window · rank up after 9 d (median)" in page
    assert "40 links, 31 with a full window · median link: no rank gain within 30 d" in page


def explained_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """The small warehouse with what the page explains itself from: verdicts, movers, tiers."""
    small_warehouse(con)
    con.execute("alter table marts.fct_key_result_progress add column verdict varchar")
    con.execute("alter table marts.fct_key_result_progress add column verdict_label varchar")
    # links.pos is on track by pace, its trend misses: the combined state, not two badges.
    con.execute(
        """update marts.fct_key_result_progress set
             verdict = case kr_id when 'links.pos' then 'on_pace_trend_short' else 'behind' end,
             verdict_label = case kr_id
               when 'links.pos'
                 then 'on pace today, but the 28-day trend ends short of the target'
               else 'behind pace, and the 28-day trend ends short of the target' end"""
    )
    con.execute(
        """create table marts.fct_key_result_movers as
           select * from (values
             ('links.rd', 7, 'gained', 1, 2, 'backlink', 'b1', 'trailnews.org', 'tier_1', 71.0,
              'https://trailnews.org/best-tents', 'acme.com/tents/x', date '2026-11-01',
              null, null, null),
             ('links.rd', 7, 'lost', 1, 1, 'backlink', 'b2', 'oldblog.net', 'tier_3', 22.0,
              'https://oldblog.net/p', 'acme.com/', date '2026-10-30', null, null, null),
             ('links.pos', 30, 'improved', 1, 1, 'keyword', 'best tents', null, null, null,
              null, null, null, 6.4, 3.1, -3.3)
           ) as t(kr_id, window_days, movement, movement_rank, movement_count, member_type,
                  member_id, referring_domain, quality_tier, authority_score, source_url,
                  target_page, event_date, before_value, after_value, change)"""
    )
    con.execute("alter table marts.fct_key_result_movers add column as_of_date date")
    con.execute(
        """create table marts.dim_quality_tiers as
           select * from (values
             ('tier_1', 1, 'followed, authority ≥ 75, in the content and relevant'),
             ('toxic', 5, 'flagged as spam')
           ) as t(quality_tier, tier_rank, rule)"""
    )


def test_cards_say_where_the_value_stands_one_verdict_and_what_moved():
    con = duckdb.connect()
    explained_warehouse(con)
    elements = Elements(build_dashboard(con, today=date(2026, 11, 3)))

    cards = {
        attrs["data-kr-id"]: (attrs, "".join(text))
        for tag, attrs, text in elements.elements
        if tag == "article"
    }
    rd_attrs, rd = cards["links.rd"]
    pos_attrs, pos = cards["links.pos"]
    # Value, baseline and target side by side; progress and expected progress in words.
    assert "now912baseline800target1,000" in re.sub(r"\s+", "", rd)
    assert "56% of the way from 800 to 1,000, 90% expected by now." in rd
    assert "Pace 0.62: progress ÷ expected progress" in rd
    # One verdict: the status stays in data-status (exceptions), the badge shows the verdict.
    assert (pos_attrs["data-status"], pos_attrs["data-verdict"]) == (
        "on_track",
        "on_pace_trend_short",
    )
    assert "on pace, trend short" in elements.texts("span")
    assert "on pace today, but the 28-day trend ends short of the target" in pos
    assert "missed" not in pos and "achieved" not in pos
    assert "28-day trend: 2.9 by 2026-12-31 (target 2.8)" in re.sub(r"\s+", " ", pos)
    # Days left: the objective's end date against the page's date, the same on every card.
    assert elements.attributes("data-days-left") == ["58"]
    assert "58 days left" in rd and "58 days left" in pos
    # Why: the links won and lost with their tier and domain, the keyword that moved.
    assert "Links won: 2" in rd and "Links lost: 1" in rd
    assert "tier 1 trailnews.org authority 71 · to /tents/x · won 1 Nov" in rd
    assert "oldblog.net" in rd
    assert "Keywords that moved up: 1" in pos and "best tents position 6.4 → 3.1" in pos
    assert "https://trailnews.org/best-tents" in elements.attributes("title")
    # The tier legend states the rules the warehouse holds, thresholds included.
    legend = ["".join(text) for tag, attrs, text in elements.elements if "data-tier" in attrs]
    assert legend == [
        "tier 1followed, authority ≥ 75, in the content and relevant",
        "toxicflagged as spam",
    ]


def test_backlink_count_bands_and_anchor_text_render_once_their_marts_exist():
    con = duckdb.connect()
    small_warehouse(con)
    con.execute(
        """insert into marts.dim_key_results values
             ('links.live', 'links', 'Grow <b>links</b>', 'acme.com', 'Live backlinks',
              'live_backlinks', 'up', 400.0, 1000.0, date '2026-10-01', date '2026-12-31',
              null)"""
    )
    con.execute(
        """insert into marts.fct_key_result_progress values
             ('links.live', date '2026-11-02', 640.0, 400.0, 1000.0, 0.4, 0.37, 1.08,
              'on_track', 990.0, 'missed', 59)"""
    )
    page = build_dashboard(con, today=date(2026, 11, 3))
    assert 'id="anchors"' not in page  # no fct_anchor_distribution yet: no panel, no error

    bands = [
        (attrs["data-band"], "".join(text), "current" in attrs["class"])
        for _, attrs, text in Elements(page).elements
        if "data-band" in attrs
    ]
    assert bands == [
        ("strong", "strong 1,000+", False),
        ("moderate", "moderate 500–999", True),
        ("low", "low below 500", False),
    ]

    con.execute(
        """create table marts.fct_anchor_distribution as
           select * from (values
             ('acme.com', date '2026-10-01', 'branded', 100, 10, 0.5),
             ('acme.com', date '2026-11-01', 'branded', 120, 20, 0.6),
             ('acme.com', date '2026-11-01', 'exact_match', 80, 5, 0.4)
           ) as t(site, month, anchor_type, live_backlinks, new_backlinks, share_of_live)"""
    )
    elements = Elements(build_dashboard(con, today=date(2026, 11, 3)))
    rows = [
        " | ".join(piece.strip() for piece in text if piece.strip())
        for _, attrs, text in elements.elements
        if "data-anchor-type" in attrs
    ]
    # The latest month only, largest share first.
    assert rows == ["branded | 60% | 120 | 20", "exact_match | 40% | 80 | 5"]
    assert "acme.com · November 2026" in elements.texts("h3")


def test_without_key_results_the_page_says_what_to_add(tmp_path):
    con = duckdb.connect()
    small_warehouse(con)
    con.execute("delete from marts.fct_key_result_progress")
    con.execute("delete from marts.dim_key_results")
    con.execute(
        """create table marts.dim_sites as
           select * from (values ('acme.com', false), ('rival.com', true))
               as t(site, is_competitor)"""
    )
    page = build_dashboard(con, today=date(2026, 11, 3))

    assert 'data-empty-state="no-key-results"' in page and "No key results yet" in page
    assert "No key results in linkokr.yml yet: add objectives with key_results" in page
    assert "<h1>Link-building OKRs: acme.com</h1>" in page
    assert "data-kr-id=" not in page and 'id="exceptions"' not in page
    # The example on the page is a config a user can paste: one key result, this quarter.
    example = re.search(r"<pre>(.*?)</pre>", page, re.DOTALL).group(1)
    (tmp_path / "linkokr.yml").write_text(html.unescape(example), encoding="utf-8")
    [kr] = load_config(tmp_path / "linkokr.yml").key_results()
    assert (kr.site, kr.start_date, kr.end_date) == (
        "acme.com",
        date(2026, 10, 1),
        date(2026, 12, 31),
    )


def test_write_replaces_the_page_without_leaving_temp_files(tmp_path):
    con = duckdb.connect()
    small_warehouse(con)
    out = dashboard_path(tmp_path / "warehouse" / "linkokr.duckdb")
    assert out == tmp_path / "warehouse" / "dashboard" / "okr_dashboard.html"
    out.parent.mkdir(parents=True)
    out.write_text("old page", encoding="utf-8")

    write_dashboard(con, out, today=date(2026, 11, 3))

    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["okr_dashboard.html"]


@pytest.mark.e2e
def test_asset_writes_the_page_next_to_the_warehouse(demo_home, tmp_path):
    home = copy_demo_home(demo_home, tmp_path / "home")
    warehouse = home / "warehouse" / "linkokr.duckdb"
    result = dg.materialize(
        [build_dashboard_asset([])],
        resources={"warehouse": DuckDBResource(database=str(warehouse))},
    )
    assert result.success
    [materialization] = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == DASHBOARD
    ]
    metadata = materialization.metadata
    out = home / "warehouse" / "dashboard" / "okr_dashboard.html"
    assert metadata["path"].value == str(out)
    assert metadata["url"].value == out.as_uri()
    assert metadata["key_results"].value == 15
    assert out.stat().st_size == metadata["bytes"].value


def chromium_driver():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("headless Chromium not installed: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.mark.e2e
def test_dashboard_in_a_browser_shows_every_key_result_exceptions_first(
    demo_home, tmp_path, monkeypatch
):
    # Selenium Manager must not try to download a browser or driver: the system ones are used.
    monkeypatch.setenv("SE_OFFLINE", "true")
    con = duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True)
    today = date.today()
    page = write_dashboard(con, tmp_path / "okr_dashboard.html", today=today)
    progress = {
        row[0]: row[1:]
        for row in con.execute(
            """select kr_id, status, projected_status, verdict, verdict_label, value
               from marts.fct_key_result_progress where is_latest"""
        ).fetchall()
    }
    latest = {kr_id: row[0] for kr_id, row in progress.items()}
    # The best mover of each key result, window and movement, as the page names it.
    top_movers = con.execute(
        """select kr_id, window_days, movement,
                  case member_type
                      when 'backlink' then referring_domain
                      when 'page' then if(
                          starts_with(member_id, site),
                          substr(member_id, length(site) + 1),
                          member_id
                      )
                      when 'site' then 'authority'
                      else member_id
                  end
           from marts.fct_key_result_movers where movement_rank = 1"""
    ).fetchall()
    end_dates = dict(
        con.execute("select objective_id, end_date from marts.dim_key_results").fetchall()
    )
    tier_rules = con.execute(
        "select quality_tier, rule from marts.dim_quality_tiers order by tier_rank"
    ).fetchall()
    con.close()
    kr_ids = [kr.kr_id for kr in load_config(demo_home / "linkokr.yml").key_results()]
    assert len(kr_ids) == 15

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium_driver()
    try:
        driver.set_window_size(1400, 900)
        driver.get(page.as_uri())
        cards = {
            card.get_attribute("data-kr-id"): card
            for card in driver.find_elements(By.CSS_SELECTOR, "article[data-kr-id]")
        }
        assert sorted(cards) == sorted(kr_ids)
        shown = {kr_id: card.get_attribute("data-status") for kr_id, card in cards.items()}
        assert shown == {kr_id: latest[kr_id] for kr_id in kr_ids}
        for card in cards.values():
            assert card.find_element(By.CSS_SELECTOR, ".badge").is_displayed()

        # Exceptions first: the panel sits above every objective and lists exactly the
        # behind / missed key results, missed before behind.
        panel = driver.find_element(By.ID, "exceptions")
        objectives = driver.find_elements(By.CSS_SELECTOR, "section.objective")
        assert objectives
        assert all(panel.location["y"] < section.location["y"] for section in objectives)
        listed = [
            (item.get_attribute("data-exception-kr-id"), item.get_attribute("data-status"))
            for item in panel.find_elements(By.CSS_SELECTOR, "[data-exception-kr-id]")
        ]
        expected = [kr_id for kr_id in kr_ids if latest[kr_id] in ("missed", "behind")]
        assert sorted(kr_id for kr_id, _ in listed) == sorted(expected)
        statuses = [status for _, status in listed]
        assert statuses == sorted(statuses, key=["missed", "behind"].index)

        # Plotly drew a trend chart on every key result with data, plus the attribution
        # chart or the "no attribution data yet" panel.
        with_data = [
            kr_id
            for kr_id, card in cards.items()
            if not card.find_elements(By.CLASS_NAME, "nochart")
        ]
        assert with_data
        WebDriverWait(driver, 30).until(
            lambda d: all(
                cards[kr_id].find_elements(By.CSS_SELECTOR, ".js-plotly-plot svg.main-svg")
                for kr_id in with_data
            )
        )
        attribution = driver.find_element(By.ID, "attribution")
        if attribution.get_attribute("data-attribution") == "chart":
            assert attribution.find_elements(By.CSS_SELECTOR, ".js-plotly-plot svg.main-svg")
        else:
            assert "No attribution data yet" in attribution.text

        # One verdict per card: a card whose pace and trend disagree says so in one state, and
        # no forecast line carries a second, contradicting status.
        disagreeing = 0
        for kr_id, card in cards.items():
            status, projected, verdict, verdict_label, _ = progress[kr_id]
            assert card.get_attribute("data-verdict") == verdict
            assert verdict_label in " ".join(card.text.split())
            [badge] = card.find_elements(By.CSS_SELECTOR, ".badge")
            forecast = card.find_element(By.CSS_SELECTOR, ".forecast").text
            assert "missed" not in forecast and "achieved" not in forecast
            if status == "on_track" and projected == "missed":
                disagreeing += 1
                assert (verdict, badge.text) == ("on_pace_trend_short", "on pace, trend short")
            if status in ("at_risk", "behind") and projected == "achieved":
                disagreeing += 1
                assert verdict == "behind_trend_recovers" and "trend recovers" in badge.text
        assert disagreeing, "the demo has key results whose pace and trend disagree"

        # Days left: the objective's end against the page's date, the same on all its cards.
        for section in objectives:
            left = (end_dates[section.get_attribute("data-objective-id")] - today).days
            assert section.find_element(By.CSS_SELECTOR, ".days-left").text == f"{left} days left"
            for card in section.find_elements(By.CSS_SELECTOR, "article[data-kr-id]"):
                assert f"{left} days left" in card.find_element(By.CSS_SELECTOR, ".forecast").text

        # Why: every key result with a value has a panel naming its real movers.
        with_value = {kr_id for kr_id, row in progress.items() if row[4] is not None}
        assert {kr_id for kr_id, *_ in top_movers} == with_value
        # (One script call for every window's rendered text: a WebDriver call per mover adds up.)
        windows = {
            (kr_id, int(window_days)): text
            for kr_id, window_days, text in driver.execute_script(
                """return Array.from(document.querySelectorAll('.why [data-window-days]'))
                     .map(e => [e.closest('article').dataset.krId, e.dataset.windowDays,
                                e.innerText])"""
            )
        }
        for kr_id, window_days, movement, name in top_movers:
            assert name in windows[(kr_id, window_days)], (kr_id, window_days, movement, name)

        # The tier legend states the configured rules, and the tiers in the panels link to it.
        legend = driver.find_element(By.ID, "tiers")
        assert legend.is_displayed()
        shown = [
            (row.get_attribute("data-tier"), row.find_element(By.TAG_NAME, "dd").text)
            for row in legend.find_elements(By.CSS_SELECTOR, "[data-tier]")
        ]
        assert shown == tier_rules and len(shown) == 5
        assert driver.find_elements(By.CSS_SELECTOR, ".why a.tier[href='#tiers']")

        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == [], json.dumps(errors, indent=2)

        # Full-page screenshot: grow the window to the document (plus the browser's chrome).
        chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, height + chrome)
        shot = tmp_path / "okr_dashboard.png"
        assert driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    shutil.copy(shot, "/tmp/okr_dashboard.png")
    print(f"dashboard screenshot: {shot}")
    assert shot.stat().st_size > 50_000
