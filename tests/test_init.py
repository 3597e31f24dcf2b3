"""`linkokr init DOMAIN`: a starter config that loads as written, with the seed's four objectives
in the current quarter, the inbox folders, and never a file overwritten."""

import re
from datetime import date, timedelta

import pytest

from ingest.config import load_config
from orchestration.cli import main
from orchestration.cli.init import quarter
from tests.conftest import use_home

pytestmark = pytest.mark.unit

SEED_OBJECTIVES = {
    "authority": ["domain_authority", "referring_domains", "min_monthly_new_backlinks"],
    "displacement": [
        "link_gap_opportunities",
        "competitor_gap_links_acquired",
        "average_position",
    ],
    "amplification": [
        "pages_in_position_range",
        "backlinks_acquired",
        "organic_sessions_change_pct",
    ],
    "revenue": ["backlinks_acquired", "average_position", "organic_transactions_change_pct"],
}


def test_starter_config_loads_with_the_four_seed_objectives_this_quarter(
    tmp_path, monkeypatch, capsys
):
    home = use_home(monkeypatch, tmp_path / "home")

    assert main(["init", "acme.com"]) == 0

    config = load_config(home / "linkokr.yml")  # what `linkokr run` loads first
    (site,) = config.sites
    assert site.domain == "acme.com"
    objectives = {o.id: [kr.metric for kr in o.key_results] for o in site.objectives}
    assert objectives == SEED_OBJECTIVES
    assert len(config.key_results()) == 12
    today = date.today()
    for objective in site.objectives:
        start, end = objective.period.start, objective.period.end
        assert start <= today <= end
        assert start.day == 1 and start.month in (1, 4, 7, 10)
        assert (end + timedelta(days=1)).day == 1 and end.month == start.month + 2
    for kind in ("backlinks", "rankings", "domain_metrics", "traffic"):
        assert (home / "data" / "inbox" / kind).is_dir()
    assert str(home / "linkokr.yml") in capsys.readouterr().out


def test_every_key_of_the_settings_and_the_site_is_explained(tmp_path, monkeypatch):
    home = use_home(monkeypatch, tmp_path)
    assert main(["init", "acme.com"]) == 0

    lines = (home / "linkokr.yml").read_text(encoding="utf-8").splitlines()
    keys = 0
    for number, line in enumerate(lines):
        # settings keys (2 spaces) and site keys (4 spaces, or `- domain`)
        if re.match(r"^( {2}| {4}|  - )[a-z_]+:", line):
            keys += 1
            above = lines[number - 1].strip()
            assert "#" in line or above.startswith("#"), f"unexplained key: {line!r}"
    assert keys >= 14  # 7 settings, the site's domain and 6 more keys


@pytest.mark.parametrize(
    ("given", "domain"),
    [("https://www.Acme.co.uk/shop/tents?x=1", "acme.co.uk"), ("shop.acme.com", "acme.com")],
)
def test_a_url_or_host_is_reduced_to_its_registrable_domain(
    given, domain, tmp_path, monkeypatch, capsys
):
    home = use_home(monkeypatch, tmp_path)

    assert main(["init", given]) == 0

    assert load_config(home / "linkokr.yml").sites[0].domain == domain
    assert f"the site is the registrable domain {domain}" in capsys.readouterr().out


@pytest.mark.parametrize("given", ["localhost", "acme", "http://", "192.168.1.10", "a..com"])
def test_something_that_is_not_a_domain_is_refused_and_nothing_written(
    given, tmp_path, monkeypatch, capsys
):
    home = use_home(monkeypatch, tmp_path)

    assert main(["init", given]) == 1

    assert "expected a domain name" in capsys.readouterr().err
    assert list(home.iterdir()) == []


def test_an_existing_config_is_never_overwritten(tmp_path, monkeypatch, capsys):
    home = use_home(monkeypatch, tmp_path)
    config = tmp_path / "elsewhere" / "my.yml"
    monkeypatch.setenv("LINKOKR_CONFIG", str(config))
    assert main(["init", "acme.com"]) == 0  # LINKOKR_CONFIG is where it goes, folders made
    assert not (home / "linkokr.yml").exists()
    written = config.read_bytes()
    capsys.readouterr()

    assert main(["init", "other.com"]) == 1

    assert config.read_bytes() == written
    assert capsys.readouterr().err == (
        f"linkokr: {config} already exists; linkokr init never overwrites a file (move it away, "
        "or set LINKOKR_CONFIG or LINKOKR_HOME to write somewhere else)\n"
    )


def test_quarters():
    assert quarter(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter(date(2026, 5, 17)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter(date(2028, 12, 31)) == (date(2028, 10, 1), date(2028, 12, 31))
