"""The dbt unit tests (`unit_tests:` in the models' YAML) run here, in `make test`.

The pipeline's daily `dbt build` leaves them out (they test the SQL, not the data). dbt types
the fixtures from the input relations, so they run against a copy of the demo warehouse, where
every model exists with its real column types (an `--empty` build types some columns NULL).
"""

import json
import os
import subprocess

import pytest

from orchestration.defs.dbt.assets import DBT_PROJECT_DIR, dbt_executable
from tests.conftest import REPO, copy_demo_home

pytestmark = pytest.mark.e2e


def dbt(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            dbt_executable(),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "LINKOKR_WAREHOUSE": str(tmp_path / "home/warehouse/linkokr.duckdb")},
        capture_output=True,
        text=True,
    )


def test_every_dbt_unit_test_passes(demo_home, tmp_path):
    copy_demo_home(demo_home, tmp_path / "home")
    tested = dbt(tmp_path, "test", "--select", "test_type:unit")
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert tested.returncode == 0 and not failed, (failed, tested.stdout[-3000:])
    # every unit test of the project ran (a YAML typo would silently drop one)
    declared = sum(
        path.read_text().count("\n  - name: ")
        for path in (REPO / "dbt_project" / "models").rglob("_*__unit_tests.yml")
    )
    assert len(results) == declared >= 40
