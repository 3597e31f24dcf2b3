"""What the demo tests share: the demo's day and length, vendor columns, and readers for its
files."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from demo import DemoManifest, generate_demo

TODAY = dt.date(2026, 11, 6)
DAYS = 180
TOPICS = ("camping", "hiking", "tent", "outdoor")
AHREFS_COLUMNS = {
    "Referring page title",
    "Referring page URL",
    "Domain rating",
    "UR",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "First seen",
    "Last seen",
    "Lost",
    "Is spam",
}
# The legacy Ahrefs export ("Backlinks" before 2023), in its column order.
AHREFS_LEGACY_HEADER = [
    "#",
    "Domain Rating",
    "URL Rating",
    "Referring Page URL",
    "Referring Page Title",
    "Link URL",
    "TextPre",
    "Link Anchor",
    "TextPost",
    "Type",
    "Backlink Status",
    "First Seen",
    "Last Check",
    "Day Lost",
]
SEMRUSH_COLUMNS = [
    "Page ascore",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Sponsored",
    "Ugc",
    "Text",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
    "New link",
    "Lost link",
]
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def files(manifest: DemoManifest, pattern: str) -> list[Path]:
    return sorted(p for p in manifest.files if re.search(pattern, p.name))


def ahrefs_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-16")), delimiter="\t"))


def raw_bytes(path: Path) -> bytes:
    """A file's bytes, or those of the one file inside it when it is a zip."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            (member,) = archive.namelist()
            return archive.read(member)
    return path.read_bytes()


def table(path: Path) -> list[dict[str, str]]:
    """Rows of any demo CSV as a spreadsheet would show them: encoding and delimiter sniffed
    from the BOM and the header line, metadata lines above the header skipped."""
    raw = raw_bytes(path)
    text = raw.decode("utf-16") if raw.startswith(b"\xff\xfe") else raw.decode("utf-8-sig")
    lines = text.splitlines()
    delimiter = "\t" if "\t" in lines[0] else ","
    widths = [len(row) for row in csv.reader(lines[:20], delimiter=delimiter)]
    header_at = widths.index(max(widths))
    return list(csv.DictReader(lines[header_at:], delimiter=delimiter))


def snapshot_day(path: Path) -> dt.date:
    return dt.date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", path.name)[0])


def period_of(end_date: dt.date) -> tuple[dt.date, dt.date]:
    anchor = end_date - dt.timedelta(days=50)
    start = anchor.replace(day=1)
    month = start.month + 2
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return start, dt.date(year, month, calendar.monthrange(year, month)[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoManifest:
    """The demo's inputs for TODAY and DAYS, written once per test module."""
    return generate_demo(tmp_path_factory.mktemp("home"), days=DAYS, today=TODAY)
