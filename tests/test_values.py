"""Reading dates, numbers and booleans as files really hold them (ingest.inbox.values): decided per
file and column from the values, never guessed, presented in one canonical text form."""

import duckdb
import pytest

from ingest.inbox.files import FileRejected
from ingest.inbox.values import ColumnFormat, decide_formats, find_invalid, normalize_sql

pytestmark = pytest.mark.unit


def table(con, **columns: list[str | None]) -> str:
    """A one-table file: each keyword a column of raw text values (rows in order)."""
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    con.execute(f"create or replace table t ({', '.join(f'{n} varchar' for n in names)})")
    con.executemany(f"insert into t values ({', '.join('?' for _ in names)})", rows)
    return "t"


def read(con, kinds: dict[str, str], *, delimiter=",", date_order="auto", names=None):
    """The canonical values of every column, as the raw view shows them, and the formats."""
    formats = decide_formats(
        con, "t", kinds, names=names or {}, delimiter=delimiter, date_order=date_order
    ).formats
    select = ", ".join(f"{normalize_sql(c, formats[c])} as {c}" for c in kinds)
    return con.execute(f"select {select} from t order by rowid").fetchall(), formats


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_a_day_above_12_makes_the_whole_column_day_first(con):
    table(con, first_seen=["03/04/2026 05:49", "24/12/2024", "1/2/26"])
    rows, formats = read(con, {"first_seen": "date"})
    assert formats["first_seen"] == ColumnFormat("date", order="dmy")
    assert [r[0] for r in rows] == ["2026-04-03 05:49:00", "2024-12-24", "2026-02-01"]


def test_a_second_part_above_12_makes_it_month_first_with_am_pm(con):
    table(con, first_seen=["4/28/2026 5:49 PM", "03/04/2026", "12/31/2025 12:00:00 AM"])
    rows, formats = read(con, {"first_seen": "date"})
    assert formats["first_seen"].order == "mdy"
    assert [r[0] for r in rows] == ["2026-04-28 17:49:00", "2026-03-04", "2025-12-31"]


def test_both_orders_in_one_column_refuse_the_file_naming_the_column(con):
    table(con, first_seen=["13/01/2026", "01/13/2026"])
    with pytest.raises(FileRejected, match="'First seen'.*mixes day-first and month-first"):
        read(con, {"first_seen": "date"}, names={"first_seen": "First seen"})


def test_an_undecidable_column_is_refused_unless_the_setting_decides(con):
    table(con, first_seen=["03/04/2026", "05.06.2026"])
    with pytest.raises(FileRejected) as refused:
        read(con, {"first_seen": "date"}, names={"first_seen": "First seen"})
    assert "'First seen'" in str(refused.value)
    assert "settings.date_order" in str(refused.value)
    rows, _ = read(con, {"first_seen": "date"}, date_order="mdy")
    assert [r[0] for r in rows] == ["2026-03-04", "2026-05-06"]
    rows, _ = read(con, {"first_seen": "date"}, date_order="dmy")
    assert [r[0] for r in rows] == ["2026-04-03", "2026-06-05"]


def test_another_date_column_of_the_same_file_decides_an_undecidable_one(con):
    table(con, first_seen=["03/04/2026", "05/06/2026"], last_seen=["28/04/2026", "07/06/2026"])
    rows, formats = read(con, {"first_seen": "date", "last_seen": "date"})
    assert formats["first_seen"].order == "dmy"
    assert rows[0] == ("2026-04-03", "2026-04-28")


def test_iso_month_names_and_compact_dates_need_no_order(con):
    table(
        con,
        d=["2026-11-03", "2026-11-03T10:15:00Z", "2026-11-03 10:15:00+02:00", "3 Nov 2026",
           "Nov 3, 2026", "20261103", "", "-"],
    )  # fmt: skip
    rows, formats = read(con, {"d": "date"})
    assert formats["d"].order is None
    assert [r[0] for r in rows] == [
        "2026-11-03", "2026-11-03 10:15:00", "2026-11-03 10:15:00", "2026-11-03", "2026-11-03",
        "2026-11-03", None, None,
    ]  # fmt: skip


def test_a_value_that_does_not_read_is_found_with_its_row_never_a_silent_null(con):
    table(con, d=["24/12/2024", "31/02/2026", "soon", ""])
    decided = decide_formats(con, "t", {"d": "date"}, names={}, delimiter=",")
    assert decided.invalid == 2
    assert [(bad.row_index, bad.value) for bad in find_invalid(con, "t", decided.formats)] == [
        (1, "31/02/2026"),
        (2, "soon"),
    ]


def test_decimal_commas_and_thousands_separators_are_decided_per_column(con):
    table(con, authority=["12,5", "1.234,5", "7"])
    rows, formats = read(con, {"authority": "number"})
    assert formats["authority"].decimal == ","
    assert [r[0] for r in rows] == ["12.5", "1234.5", "7"]
    table(con, volume=["1,234", "1,200,000", "90"])
    rows, formats = read(con, {"volume": "number"})
    assert formats["volume"].decimal == "."  # `1,200,000`: commas group thousands here
    assert [r[0] for r in rows] == ["1234", "1200000", "90"]


def test_an_ambiguous_column_follows_the_file_then_the_delimiter(con):
    # `1,234` alone reads either way: the other column's `0,5` says this file has decimal commas
    table(con, a=["1,234"], b=["0,5"])
    rows, _ = read(con, {"a": "number", "b": "number"})
    assert rows == [("1.234", "0.5")]
    table(con, a=["1,234"])
    assert read(con, {"a": "number"}, delimiter=";")[0] == [("1.234",)]
    assert read(con, {"a": "number"}, delimiter=",")[0] == [("1234",)]


def test_mixed_decimal_forms_in_one_column_refuse_the_file(con):
    table(con, ur=["1,234.5", "1.234,5"])
    with pytest.raises(FileRejected, match="'UR'.*decimal points and decimal commas"):
        read(con, {"ur": "number"}, names={"ur": "UR"})


def test_percentages_keep_their_sign_and_positions_read_not_ranking_as_null(con):
    table(con, ctr=["6,47 %", "12%", ""], position=["4,5", ">100", "Not in top 100"])
    rows, _ = read(con, {"ctr": "percent", "position": "position"}, delimiter=";")
    assert rows == [("6.47%", "4.5"), ("12%", None), (None, None)]


def test_booleans_in_every_spreadsheet_spelling(con):
    values = ["true", "FALSE", "Yes", "no", "Y", "n", "1", "0", "WAHR", "falsch", ""]
    table(con, flag=values)
    rows, _ = read(con, {"flag": "bool"})
    assert [r[0] for r in rows] == [
        "true", "false", "true", "false", "true", "false", "true", "false", "true", "false", None
    ]  # fmt: skip
    table(con, flag=["true", "maybe"])
    decided = decide_formats(con, "t", {"flag": "bool"}, names={}, delimiter=",")
    assert [bad.value for bad in find_invalid(con, "t", decided.formats)] == ["maybe"]
