"""Every SQL example of docs/analysts.md runs against the demo warehouse and answers something.

The examples are the analysts' starting points: a renamed column or mart must break this test,
not their notebooks.
"""

import re

import duckdb
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e

DOC = REPO / "docs" / "analysts.md"
QUERIES = re.findall(r"^## (.+?)$.*?^```sql\n(.*?)^```", DOC.read_text(), re.M | re.S)


def test_the_guide_has_the_common_questions():
    titles = [title for title, _ in QUERIES]
    assert len(QUERIES) >= 8
    assert {"Which links moved rankings?", "Referring domains by tier over time"} <= set(titles)
    assert any("pace" in title for title in titles)


@pytest.mark.parametrize(("title", "sql"), QUERIES, ids=[title for title, _ in QUERIES])
def test_example_query_answers_on_the_demo(demo_home, title, sql):
    with duckdb.connect(str(demo_home / "warehouse" / "linkokr.duckdb"), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"{title!r} returned no rows on the demo data"
    assert all(any(value is not None for value in row) for row in rows)
