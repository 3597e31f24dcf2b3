"""The warehouse helpers every module uses: a load that fails leaves the table as it was."""

import duckdb
import pytest

from ingest.warehouse import quote_identifier, rows_as_dicts, table_exists, transaction

pytestmark = pytest.mark.unit


def test_a_failing_block_rolls_back_and_a_passing_one_commits():
    con = duckdb.connect()
    con.execute("create table links (url varchar)")
    with pytest.raises(ValueError), transaction(con):
        con.execute("insert into links values ('https://a.example/')")
        raise ValueError("the file broke half-way")
    assert con.execute("select count(*) from links").fetchone()[0] == 0
    with transaction(con):
        con.execute("insert into links values ('https://b.example/')")
    assert con.execute("select url from links").fetchall() == [("https://b.example/",)]


def test_an_odd_column_name_is_quoted_and_rows_come_back_by_name():
    con = duckdb.connect()
    odd = 'Referring "page" URL; drop table x'
    con.execute(f"create table t ({quote_identifier(odd)} varchar, n integer)")
    con.execute("insert into t values (?, ?)", ["https://a.example/", 3])
    assert rows_as_dicts(con.execute("select * from t")) == [{odd: "https://a.example/", "n": 3}]


def test_table_exists_sees_tables_and_views_in_their_schema_only():
    con = duckdb.connect()
    con.execute("create schema raw; create table raw.a (x int); create view raw.v as select 1")
    assert table_exists(con, "raw", "a") and table_exists(con, "raw", "v")
    assert not table_exists(con, "main", "a")
