"""GA4 report downloads dropped in `traffic/` (docs/sources.md §4 and §6) through `load_file`: the
corpus downloads (daily with a Date dimension, one day without it, a week without it) and small
hand-written ones for totals rows and files without a usable date range."""

import shutil
from pathlib import Path

import pytest

from ingest.inbox import load_file
from tests.corpus import CORPUS_DIR

pytestmark = pytest.mark.unit

DAILY = "acme-outdoor.com-ga4-landing-page-daily_2026-11-01_2026-11-14.csv"
ONE_DAY = "acme-outdoor.com-ga4-landing-page_2026-11-14.csv"
WEEK = "acme-outdoor.com-ga4-landing-page-week_2026-11-01_2026-11-07.csv"


def preamble(start: str, end: str) -> str:
    return (
        "# ----------------------------------------\r\n"
        "# Landing page\r\n"
        "# Account: Acme, Inc.\r\n"
        "# Property: acme.com - GA4\r\n"
        "# ----------------------------------------\r\n"
        "#\r\n"
        "# All Users\r\n"
        f"# Start date: {start}\r\n"
        f"# End date: {end}\r\n"
        "\r\n"
    )


def corpus_file(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    target = tmp_path / "traffic" / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS_DIR / "traffic" / name, target)
    return target


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "traffic" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def raw_rows(con, file_name: str) -> list[tuple]:
    return con.execute(
        """select traffic_date, landing_page, host_name, sessions, revenue
           from raw.traffic_ga4_export where _file = ? order by all""",
        [file_name],
    ).fetchall()


def test_a_download_with_the_date_dimension_loads_one_row_per_page_and_day(tmp_path, con):
    result = load_file(con, corpus_file(tmp_path, DAILY), "traffic")
    assert (result.status, result.source, result.site) == (
        "loaded",
        "ga4_export",
        "acme-outdoor.com",
    )
    assert (result.rows_loaded, result.rows_rejected) == (31, 0)
    days = con.execute(
        "select count(distinct traffic_date), min(traffic_date), max(traffic_date) "
        "from raw.traffic_ga4_export"
    ).fetchone()
    assert days == (14, "2026-11-01", "2026-11-14")
    # `YYYYMMDD` read as a date, the query string kept (staging folds it away)
    assert ("2026-11-01", "/search/?q=tents,tarps", None, "7", "0") in raw_rows(con, DAILY)


def test_a_single_day_download_without_date_takes_the_day_of_its_preamble(tmp_path, con):
    result = load_file(con, corpus_file(tmp_path, ONE_DAY), "traffic")
    assert (result.status, result.site, result.rows_loaded) == ("loaded", "acme-outdoor.com", 12)
    rows = raw_rows(con, ONE_DAY)
    assert {row[0] for row in rows} == {"2026-11-14"}
    assert ("2026-11-14", "/", "www.acme-outdoor.com", "1500", "1234.56") in rows


def test_the_hostname_column_names_the_site_before_the_file_name(tmp_path, con):
    renamed = "rival-gear.com-landing-page_2026-11-14.csv"
    result = load_file(con, corpus_file(tmp_path, ONE_DAY, renamed), "traffic")
    assert (result.status, result.site) == ("loaded", "acme-outdoor.com")


def test_a_download_naming_no_site_is_refused(tmp_path, con):
    text = preamble("20261114", "20261114") + "Landing page,Sessions\r\n/tents/,12\r\n"
    result = load_file(con, write(tmp_path, "landing-page_2026-11-14.csv", text), "traffic")
    assert result.status == "rejected"
    assert "cannot tell which site" in result.error


def test_a_multi_day_download_without_date_is_refused_with_what_to_do(tmp_path, con):
    path = corpus_file(tmp_path, WEEK)
    result = load_file(con, path, "traffic")
    assert result.status == "rejected"
    assert "2026-11-01 to 2026-11-07 (7 days) without a Date dimension" in result.error
    assert "add the Date dimension" in result.error
    assert "one day at a time" in result.error
    rejected = tmp_path / "traffic" / "_rejected"
    assert (rejected / WEEK).exists()
    assert "add the Date dimension" in (rejected / f"{WEEK}.error.txt").read_text()
    assert con.execute("select count(*) from raw.traffic_ga4_export").fetchone() == (0,)


def test_a_download_without_date_or_date_range_is_refused(tmp_path, con):
    path = write(
        tmp_path,
        "acme.com-landing-pages.csv",
        "Landing page,Sessions\n/tents/,12\n/boots/,4\n",
    )
    result = load_file(con, path, "traffic")
    assert result.status == "rejected"
    assert "no Date column" in result.error
    assert "Start date" in result.error
    assert "one day at a time" in result.error


@pytest.mark.parametrize(
    ("header", "total", "rows"),
    [
        # a standard report: the totals row right below the header
        (
            "Landing page + query string,Sessions,Engaged sessions",
            "Grand total,130,90",
            ["/tents/,100,70", "/boots/,30,20"],
        ),
        # an exploration: the totals row last, its label in the first column
        (
            "Landing page,Sessions,Engaged sessions",
            None,
            ["/tents/,100,70", "/boots/,30,20", "Totals,130,90"],
        ),
    ],
)
def test_a_totals_row_does_not_load_as_a_landing_page(tmp_path, con, header, total, rows):
    body = "\r\n".join([header, *([total] if total else []), *rows]) + "\r\n"
    path = write(
        tmp_path, "acme.com-landing-page_2026-11-14.csv", preamble("20261114", "20261114") + body
    )
    result = load_file(con, path, "traffic")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 2, 0)
    assert [row[1] for row in raw_rows(con, path.name)] == ["/boots/", "/tents/"]


def test_a_daily_download_with_a_totals_row_without_date_keeps_its_days(tmp_path, con):
    text = preamble("20261101", "20261102") + (
        "Date,Landing page + query string,Sessions\r\n"
        "20261101,/tents/,10\r\n"
        "20261102,/tents/,12\r\n"
        "Grand total,,22\r\n"
    )
    path = write(tmp_path, "acme.com-landing-page-daily_2026-11-02.csv", text)
    result = load_file(con, path, "traffic")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 2, 0)
    assert [row[:2] for row in raw_rows(con, path.name)] == [
        ("2026-11-01", "/tents/"),
        ("2026-11-02", "/tents/"),
    ]


def test_a_french_preamble_dates_a_single_day_download(tmp_path, con):
    text = (
        "# Page de destination\r\n# Date de début : 20261114\r\n# Date de fin : 20261114\r\n\r\n"
        "Landing page,Sessions\r\n/tents/,12\r\n"
    )
    path = write(tmp_path, "acme.com_page-de-destination.csv", text)
    result = load_file(con, path, "traffic")
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert raw_rows(con, path.name)[0][:2] == ("2026-11-14", "/tents/")


def test_an_unknown_header_below_a_preamble_is_named_in_the_reason(tmp_path, con):
    text = preamble("20261114", "20261114") + "Seite,Sitzungen\r\n/zelte/,12\r\n"
    result = load_file(con, write(tmp_path, "acme.com-seiten.csv", text), "traffic")
    assert result.status == "rejected"
    assert "line 11" in result.error and "Seite,Sitzungen" in result.error
