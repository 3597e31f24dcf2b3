"""The wheel carries what an installed linkokr reads besides its code: the dbt project (models,
macros, tests, dbt_project.yml, profiles.yml; never dbt's target/ or logs/), the example config
the demo starts from, and the page templates of the dashboard and the review digest. The package
is built from a copy of the tree, as `pip install .` builds it (with the build requirements from
the configured package index)."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "linkokr.yml")
PACKAGES = ("ingest", "serve", "demo", "orchestration", "dbt_project")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    tree = tmp_path_factory.mktemp("tree")
    for name in SOURCES:
        shutil.copy(REPO / name, tree / name)
    for name in PACKAGES:
        shutil.copytree(
            REPO / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    # leftovers of dbt runs in a checkout must not be shipped
    (tree / "dbt_project" / "target").mkdir(exist_ok=True)
    (tree / "dbt_project" / "target" / "manifest.json").write_text("{}")
    (tree / "dbt_project" / "logs").mkdir(exist_ok=True)
    (tree / "dbt_project" / "logs" / "dbt.log").write_text("")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(tree)],
        check=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (built,) = out.glob("linkokr-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_ships_the_dbt_project_and_the_example_config(wheel):
    names = set(wheel.namelist())
    project = "orchestration/dbt_project/"
    for name in ("dbt_project.yml", "profiles.yml"):
        assert project + name in names
    for folder in ("models", "macros"):
        shipped = {n for n in names if n.startswith(f"{project}{folder}/")}
        in_repo = {
            f"{project}{path.relative_to(REPO / 'dbt_project').as_posix()}"
            for path in (REPO / "dbt_project" / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert in_repo and shipped == in_repo, folder
    assert not [n for n in names if n.startswith((project + "target/", project + "logs/"))]
    example = wheel.read("orchestration/linkokr.yml").decode()
    assert example == (REPO / "linkokr.yml").read_text(encoding="utf-8")
    # the starter config `linkokr init` renders
    assert "orchestration/cli/templates/linkokr.yml.j2" in names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "linkokr = orchestration.cli:main" in wheel.read(entry_points).decode()


def test_the_wheel_ships_the_page_templates(wheel):
    """The dashboard and the review digest render from Jinja templates: package data, not code."""
    names = set(wheel.namelist())
    for package in ("serve/dashboard", "serve/review"):
        in_repo = {
            f"{package}/templates/{path.name}"
            for path in (REPO / package / "templates").iterdir()
            if path.is_file()
        }
        shipped = {n for n in names if n.startswith(f"{package}/templates/")}
        assert in_repo and shipped == in_repo, package
