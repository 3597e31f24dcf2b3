"""`linkokr.yml`: what loads and how a bad file is reported (its tables: test_config_tables.py)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from ingest.config import (
    METRICS,
    ConfigError,
    LinkokrConfig,
    check_name,
    load_config,
)

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures" / "config"
REPO_CONFIG = Path(__file__).parents[1] / "linkokr.yml"

# A valid file; the error cases below change one thing in it. `# <-` marks the line an error
# must point at, so the expected line number is read from the text the test wrote.
BASE = """\
sites:
  - domain: acme-outdoor.com
    competitors: [rival-gear.com]
    page_groups:
      guides: ["acme-outdoor.com/guides/*"]
    keyword_sets:
      head_terms: {keywords: [tents]}
    objectives:
      - id: authority
        title: Authority
        period: {start: 2026-10-01, end: 2026-12-31}
        key_results:
          - id: links
            metric: backlinks_acquired
            target: 25
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "linkokr.yml"
    path.write_text(textwrap.dedent(text))
    return path


def marked_line(path: Path) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if "# <-" in line)


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_example_config_loads_with_documented_defaults():
    cfg = load_config(FIXTURES / "okrs_example.yml")

    assert cfg.settings.status_thresholds.on_track == 0.9
    assert cfg.settings.status_thresholds.at_risk == 0.7
    assert cfg.settings.status_grace_days == 14
    assert cfg.settings.unranked_position == 101
    assert cfg.settings.attribution_windows == [30, 60, 90]
    assert [s.domain for s in cfg.sites] == ["acme-outdoor.com"]
    dr, links = cfg.key_results()
    assert (dr.kr_id, dr.check_name, dr.authority_metric) == (
        "authority.dr",
        "kr_authority_dr",
        "ahrefs_dr",
    )
    assert (dr.baseline, dr.target, dr.title) == (42, 48, "Increase DR from 42 to 48")
    assert links.kr_id == "authority.strong-links"
    assert links.check_name == "kr_authority_strong_links"
    assert links.title == "backlinks_acquired → 25"
    assert links.owner == "seo-team"  # inherited from the objective
    assert links.baseline is None
    assert links.min_authority == 55
    assert links.exclude_toxic is True
    assert links.milestones == [
        {"date": dt.date(2026, 10, 31), "value": 5},
        {"date": dt.date(2026, 11, 30), "value": 15},
    ]
    assert (links.start_date, links.end_date) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


@pytest.mark.skipif(not REPO_CONFIG.exists(), reason="repo-root linkokr.yml not written yet")
def test_repo_config_has_the_four_seed_objectives_and_fifteen_key_results():
    """The seed's twelve key results, the Backlink Count KPI, and one key result each on the
    placement and anchor-class filters."""
    cfg = load_config(REPO_CONFIG)

    objectives = [o for site in cfg.sites for o in site.objectives]
    assert len(objectives) == 4
    krs = cfg.key_results()
    assert len(krs) == 15
    assert len({kr.check_name for kr in krs}) == 15
    assert all(kr.metric in METRICS for kr in krs)
    assert "live_backlinks" in {kr.metric for kr in krs}
    assert any(kr.placements == ["contextual"] for kr in krs)
    assert any(kr.anchor_types for kr in krs)


def test_check_name_replaces_every_character_dagster_rejects():
    assert check_name("content-amp.pages_4-10") == "kr_content_amp_pages_4_10"


def test_iso_string_dates_are_accepted(tmp_path):
    path = write(tmp_path, BASE.replace("{start: 2026-10-01", '{start: "2026-10-01"'))

    assert load_config(path).key_results()[0].start_date == dt.date(2026, 10, 1)


def objective_with(key_result: str, period: str = "{start: 2026-10-01, end: 2026-12-31}") -> str:
    """BASE with its key result replaced by `key_result` (YAML at key-result indentation)."""
    head = BASE.split("          - id: links")[0]
    head = head.replace("{start: 2026-10-01, end: 2026-12-31}", period)
    return head + textwrap.indent(textwrap.dedent(key_result), " " * 10)


KR = "sites[0].objectives[0].key_results[0]"

ERROR_CASES = {
    "bad id": (
        objective_with("- id: Strong Links  # <-\n  metric: backlinks_acquired\n  target: 1\n"),
        f"{KR}.id",
        "expected an id of lowercase letters, digits, '-' and '_', got 'Strong Links'",
    ),
    "unknown metric": (
        objective_with("- id: a\n  metric: backlink_acquired  # <-\n  target: 1\n"),
        f"{KR}.metric",
        "(did you mean 'backlinks_acquired'?)",
    ),
    "target not a number": (
        objective_with("- id: a\n  metric: backlinks_acquired\n  target: lots  # <-\n"),
        f"{KR}.target",
        "expected a number, got 'lots'",
    ),
    "required key missing": (
        objective_with("- id: a  # <-\n  metric: backlinks_acquired\n"),
        f"{KR}.target",
        "required key is missing",
    ),
    "unknown key": (
        objective_with("- id: a\n  metric: backlinks_acquired\n  target: 1\n  titel: x  # <-\n"),
        f"{KR}.titel",
        "unknown key (did you mean 'title'?)",
    ),
    "impossible date": (
        objective_with(
            "- {id: a, metric: backlinks_acquired, target: 1}\n",
            period="{start: 2026-10-01, end: 2026-13-01}  # <-",
        ),
        "sites[0].objectives[0].period.end",
        "expected a date (YYYY-MM-DD), got '2026-13-01'",
    ),
    "period reversed": (
        objective_with(
            "- {id: a, metric: backlinks_acquired, target: 1}\n",
            period="{start: 2026-12-31, end: 2026-10-01}  # <-",
        ),
        "sites[0].objectives[0].period.end",
        "expected end (2026-10-01) on or after start (2026-12-31)",
    ),
    "milestone outside period": (
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 9\n  milestones:\n"
            "    - {date: 2026-11-01, value: 3}\n    - {date: 2027-01-15, value: 6}  # <-\n"
        ),
        f"{KR}.milestones[1].date",
        "expected a date inside the objective's period 2026-10-01 … 2026-12-31, got 2027-01-15",
    ),
    "milestones out of order": (
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 9\n  milestones:\n"
            "    - {date: 2026-11-01, value: 3}\n    - {date: 2026-10-15, value: 1}  # <-\n"
        ),
        f"{KR}.milestones[1].date",
        "expected milestones in ascending date order",
    ),
    "unknown page group": (
        objective_with(
            "- id: a\n  metric: organic_sessions\n  target: 9\n  page_group: blog  # <-\n"
        ),
        f"{KR}.page_group",
        "page group 'blog' is not defined on site 'acme-outdoor.com'; expected one of: guides",
    ),
    "unknown keyword set": (
        objective_with(
            "- id: a\n  metric: average_position\n  target: 3\n  keyword_set: heads  # <-\n"
        ),
        f"{KR}.keyword_set",
        "keyword set 'heads' is not defined on site 'acme-outdoor.com'; "
        "expected one of: head_terms",
    ),
    "competitor not listed": (
        objective_with(
            "- id: a\n  metric: link_gap_opportunities\n  target: 50\n"
            "  competitor: peak-supply.com  # <-\n"
        ),
        f"{KR}.competitor",
        "'peak-supply.com' is not a competitor on site 'acme-outdoor.com'; "
        "expected one of: rival-gear.com",
    ),
    "filters on a rank metric": (
        objective_with(
            "- id: a\n  metric: average_position\n  target: 3\n"
            "  filters: {min_authority: 50}  # <-\n"
        ),
        f"{KR}.filters",
        "filters apply to link and gap metrics only",
    ),
    "unknown tier": (
        objective_with(
            "- id: a\n  metric: referring_domains\n  target: 3\n  filters:\n"
            "    tiers: [tier_1, tier_5]  # <-\n"
        ),
        f"{KR}.filters.tiers[1]",
        "expected one of 'tier_1', 'tier_2', 'tier_3', 'tier_4' or 'toxic', got 'tier_5'",
    ),
    "unknown placement": (
        objective_with(
            "- id: a\n  metric: live_backlinks\n  target: 3\n  filters:\n"
            "    placements: [contextual, footer]  # <-\n"
        ),
        f"{KR}.filters.placements[1]",
        "expected one of 'contextual', 'other', 'redirect', 'image', 'sitewide' or 'unknown', "
        "got 'footer'",
    ),
    "unknown anchor class": (
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 3\n  filters:\n"
            "    anchor_types: [branded, brand]  # <-\n"
        ),
        f"{KR}.filters.anchor_types[1]",
        "expected one of 'empty', 'naked_url', 'branded', 'exact', 'partial', 'generic' or "
        "'other', got 'brand'",
    ),
    "empty anchor class list": (
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 3\n  filters:\n"
            "    anchor_types: []  # <-\n"
        ),
        f"{KR}.filters.anchor_types",
        "expected at least 1 item(s)",
    ),
    "placements not a list": (
        objective_with(
            "- id: a\n  metric: referring_domains\n  target: 3\n  filters:\n"
            "    placements: contextual  # <-\n"
        ),
        f"{KR}.filters.placements",
        "expected a list, got 'contextual'",
    ),
    "filters on live_backlinks misspelt": (
        objective_with(
            "- id: a\n  metric: live_backlinks\n  target: 3\n  filters:\n"
            "    placement: [contextual]  # <-\n"
        ),
        f"{KR}.filters.placement",
        "unknown key (did you mean 'placements'?)",
    ),
    "brand terms not a list": (
        BASE.replace("    competitors:", "    brand_terms: Acme  # <-\n    competitors:"),
        "sites[0].brand_terms",
        "expected a list, got 'Acme'",
    ),
    "position range incomplete": (
        objective_with(
            "- id: a  # <-\n  metric: pages_in_position_range\n  target: 20\n"
            "  page_group: guides\n  min_position: 4\n"
        ),
        f"{KR}.max_position",
        "required key is missing (needed by metric pages_in_position_range)",
    ),
    "position range reversed": (
        objective_with(
            "- id: a\n  metric: pages_in_position_range\n  target: 20\n"
            "  page_group: guides\n  min_position: 10\n  max_position: 4  # <-\n"
        ),
        f"{KR}.max_position",
        "expected max_position (4) >= min_position (10)",
    ),
    "unknown authority metric": (
        objective_with(
            "- id: a\n  metric: domain_authority\n  target: 48\n"
            "  authority_metric: ahrefs_ur  # <-\n"
        ),
        f"{KR}.authority_metric",
        "expected one of 'ahrefs_dr', 'moz_da', 'semrush_as' or 'majestic_tf', got 'ahrefs_ur'",
    ),
    "rank source on a link metric": (
        objective_with("- id: a\n  metric: backlinks_acquired\n  target: 4\n  source: gsc  # <-\n"),
        f"{KR}.source",
        "a rank source applies to rank metrics only (average_position, pages_in_position_range)",
    ),
    "competitor on a link metric": (
        objective_with(
            "- id: a\n  metric: referring_domains\n  target: 4\n"
            "  competitor: rival-gear.com  # <-\n"
        ),
        f"{KR}.competitor",
        "only allowed on the gap metrics (competitor_gap_links_acquired, link_gap_opportunities)",
    ),
    "metric not text": (
        objective_with("- id: a\n  metric: [backlinks_acquired]  # <-\n  target: 1\n"),
        f"{KR}.metric",
        "expected text, got a list",
    ),
    "authority metric on a link metric": (
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 48\n"
            "  authority_metric: moz_da  # <-\n"
        ),
        f"{KR}.authority_metric",
        "only allowed on metric domain_authority",
    ),
    "change_pct with a baseline": (
        objective_with(
            "- id: a\n  metric: organic_sessions_change_pct\n  target: 40\n  baseline: 12  # <-\n"
        ),
        f"{KR}.baseline",
        "expected 0 or no baseline",
    ),
    "duplicate key result id": (
        objective_with(
            "- {id: a, metric: backlinks_acquired, target: 1}\n"
            "- {id: a, metric: referring_domains, target: 1}  # <-\n"
        ),
        "sites[0].objectives[0].key_results[1].id",
        "key result id 'a' is already used at sites[0].objectives[0].key_results[0].id",
    ),
    "duplicate objective id": (
        BASE
        + "      - id: authority  # <-\n"
        + "        title: Again\n"
        + "        period: {start: 2026-10-01, end: 2026-12-31}\n",
        "sites[0].objectives[1].id",
        "objective id 'authority' is already used at sites[0].objectives[0].id",
    ),
    "check name collision": (
        BASE.replace("- id: authority", "- id: content-amp")
        + "      - id: content_amp\n"
        + "        title: Again\n"
        + "        period: {start: 2026-10-01, end: 2026-12-31}\n"
        + "        key_results:\n"
        + "          - {id: links, metric: referring_domains, target: 1}  # <-\n",
        "sites[0].objectives[1].key_results[0].id",
        "both map to the Dagster check name 'kr_content_amp_links'",
    ),
    "uppercase domain": (
        BASE.replace("  - domain: acme-outdoor.com", "  - domain: Acme-Outdoor.com  # <-"),
        "sites[0].domain",
        "expected a lowercase domain, got 'Acme-Outdoor.com'",
    ),
    "duplicate site": (
        BASE + "  - domain: acme-outdoor.com  # <-\n",
        "sites[1].domain",
        "site 'acme-outdoor.com' is configured twice",
    ),
    "subdomain as site": (
        BASE.replace("  - domain: acme-outdoor.com", "  - domain: www.acme-outdoor.com  # <-"),
        "sites[0].domain",
        "write 'acme-outdoor.com'",
    ),
    "unknown settings key": (
        "settings:\n  lookbak_days: 5  # <-\n" + BASE,
        "settings.lookbak_days",
        "unknown key (did you mean 'lookback_days'?)",
    ),
    "duplicate yaml key": (
        BASE + "            target: 30  # <-\n",
        f"{KR}.target",
        "duplicate key (first given on line 15)",
    ),
}


@pytest.mark.parametrize("text, key_path, expected", ERROR_CASES.values(), ids=ERROR_CASES)
def test_bad_config_names_file_line_key_and_expectation(tmp_path, text, key_path, expected):
    path = write(tmp_path, text)

    message = config_error(path)

    line = next(m for m in message.splitlines() if m.startswith(f"{path}:{marked_line(path)}: "))
    assert line.startswith(f"{path}:{marked_line(path)}: {key_path}: ")
    assert expected in line


def test_every_problem_is_listed_in_file_order(tmp_path):
    path = write(
        tmp_path,
        objective_with(
            "- id: a\n  metric: backlinks_acquired\n  target: 1\n  colour: red\n"
            "- id: b\n  metric: average_position\n  target: 3\n  keyword_set: nope\n"
        ),
    )

    lines = config_error(path).splitlines()

    assert lines == [
        f"{path}:16: {KR}.colour: unknown key; expected one of: id, metric, target, title, owner, "
        "baseline, milestones, page_group, keyword_set, source, min_position, max_position, "
        "competitor, authority_metric, filters",
        f"{path}:20: sites[0].objectives[0].key_results[1].keyword_set: keyword set 'nope' is "
        "not defined on site 'acme-outdoor.com'; expected one of: head_terms",
    ]


def test_yaml_syntax_error_gives_file_and_line(tmp_path):
    path = write(tmp_path, "sites:\n  - domain: acme.com\n   ga4_property_id: '1'\n")

    message = config_error(path)

    assert message.startswith(f"{path}:3: invalid YAML: ")
    assert "column 4" in message


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere" / "linkokr.yml"

    assert config_error(path).startswith(f"{path}: config file not found")


def test_empty_file_asks_for_sites(tmp_path):
    assert "expected a mapping with `sites`" in config_error(write(tmp_path, ""))


def test_a_key_given_three_times_is_reported_on_each_repeat(tmp_path):
    path = write(tmp_path, BASE + "            target: 30\n            target: 35\n")

    assert config_error(path).splitlines() == [
        f"{path}:16: {KR}.target: duplicate key (first given on line 15); each key may appear once",
        f"{path}:17: {KR}.target: duplicate key (first given on line 16); each key may appear once",
    ]


def test_validating_the_model_itself_runs_the_checks_across_keys():
    data = yaml.safe_load(
        objective_with("- {id: a, metric: average_position, target: 3, keyword_set: nope}\n")
    )

    with pytest.raises(ValidationError) as caught:
        LinkokrConfig.model_validate(data)

    assert "keyword set 'nope' is not defined on site 'acme-outdoor.com'" in str(caught.value)
