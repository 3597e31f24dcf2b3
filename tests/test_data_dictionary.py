"""The dbt docs are the data dictionary (docs/warehouse.md): every mart table and every one of its
columns, as built on the demo, has a description in the models' YAML."""

import duckdb
import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def described() -> dict[str, tuple[str, dict[str, str]]]:
    models = {}
    for path in (REPO / "dbt_project" / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            columns = {c["name"]: (c.get("description") or "").strip() for c in model["columns"]}
            models[model["name"]] = ((model.get("description") or "").strip(), columns)
    return models


def test_every_mart_and_column_is_described(demo_home):
    docs = described()
    with duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        columns = con.execute(
            """select table_name, column_name from information_schema.columns
               where table_schema = 'marts' order by table_name, ordinal_position"""
        ).fetchall()
    tables = {table for table, _ in columns}
    assert len(tables) >= 14
    missing = [
        f"{table}.{column}"
        for table, column in columns
        if not docs.get(table, ("", {}))[1].get(column)
    ]
    undescribed = [table for table in tables if not docs.get(table, ("",))[0]]
    assert not undescribed and not missing, (undescribed, missing)
