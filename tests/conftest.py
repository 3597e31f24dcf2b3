"""Shared fixtures: a linkokr home with the repo's example config."""

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINKOKR_ENV = (
    "LINKOKR_CONFIG",
    "LINKOKR_INBOX",
    "LINKOKR_WAREHOUSE",
    "LINKOKR_SERVING",
    "DAGSTER_HOME",
    "LINKOKR_GA4_ENDPOINT",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


def use_home(mp: pytest.MonkeyPatch, home: Path) -> Path:
    """Point linkokr at `home` and nothing else: every other LINKOKR_* variable unset."""
    for name in LINKOKR_ENV:
        mp.delenv(name, raising=False)
    mp.setenv("LINKOKR_HOME", str(home))
    return home


@pytest.fixture
def linkokr_home(tmp_path, monkeypatch) -> Path:
    """An empty LINKOKR_HOME holding a copy of the example config, set in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "linkokr.yml", home / "linkokr.yml")
    return use_home(monkeypatch, home)
