"""GA4 report downloads dropped in `traffic/` (docs/sources.md §4 and §6), the offline fallback
for the Data API.

A download from the GA4 UI (Share this report > Download file > CSV) starts with a `#` preamble
naming the report and its date range, then the table:

    # Landing page
    # Start date: 20261101
    # End date: 20261114

    Landing page + query string,Date,Sessions,...

The marts hold daily traffic, so a download loads when its rows are days: the report has a `Date`
dimension, or its range is a single day (every row is that day, bound as a parameter). A
multi-day report without `Date` holds sums over the range and is refused. Only the preamble's few
lines are read in Python; `reshape_ga4_download` returns the SELECT DuckDB streams the rows with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ingest.inbox.fileformat import Reshaped
from ingest.inbox.files import CsvLayout, FileRejected, head_lines, normalize_header

# canonical column -> header aliases; `traffic_date` comes from the reshape (a `Date` column or
# the preamble's single day), so the header is not required to have it
GA4_DOWNLOAD_COLUMNS = {
    "traffic_date": [],
    "host_name": ["Hostname", "Host name"],
    "landing_page": ["Landing page + query string", "Landing page"],
    "channel_group": ["Session default channel group", "Default channel group"],
    "sessions": ["Sessions"],
    "engaged_sessions": ["Engaged sessions"],
    "key_events": ["Key events", "Conversions"],
    "transactions": ["Transactions", "Ecommerce purchases"],
    "revenue": ["Purchase revenue", "Total revenue"],
}
DATE_ALIASES = ("Date",)
# English and French as public downloads write them; German and Spanish as the UI labels the
# range (unconfirmed: a download they miss is refused, never misread).
START_LABELS = ("Start date", "Date de début", "Startdatum", "Fecha de inicio")
END_LABELS = ("End date", "Date de fin", "Enddatum", "Fecha de finalización")
# A totals row repeats the table's sums under a label in its first column; loaded, it would be a
# landing page called "Grand total" with the whole site's traffic.
TOTALS_LABELS = ("grand total", "totals", "total", "gesamtsumme", "total général", "total general")
# A spreadsheet re-save pads the line with delimiters to the table's width (`# End date:
# 20261114,,,,`) and may quote it.
PREAMBLE_DATE = re.compile(r'^"?#\s*(?P<label>[^:]+?)\s*:\s*(?P<value>\d{8})\s*"?\s*[,;\t]*\s*$')


@dataclass(frozen=True)
class Preamble:
    """What the `#` lines above a GA4 download's table say about its date range."""

    has_preamble: bool
    start: date | None = None
    end: date | None = None


def read_preamble(layout: CsvLayout) -> Preamble:
    """The `# Start date:` / `# End date:` lines above the header (YYYYMMDD)."""
    lines = head_lines(layout.path, layout.encoding, max_lines=layout.header_line)
    found: dict[str, date] = {}
    starts = {normalize_header(label) for label in START_LABELS}
    ends = {normalize_header(label) for label in END_LABELS}
    for line in lines:
        match = PREAMBLE_DATE.match(line.strip())
        if not match:
            continue
        label = normalize_header(match["label"])
        which = "start" if label in starts else "end" if label in ends else None
        if which is None or which in found:
            continue
        try:
            found[which] = datetime.strptime(match["value"], "%Y%m%d").date()
        except ValueError:
            continue
    has_preamble = any(line.lstrip().lstrip('"').startswith("#") for line in lines)
    return Preamble(has_preamble, found.get("start"), found.get("end"))


def _single_day(layout: CsvLayout) -> date:
    """The day every row of a download without a `Date` dimension is for, or the refusal."""
    preamble = read_preamble(layout)
    fix = (
        "add the Date dimension to the report (Reports > Engagement > Landing page: the table's "
        "secondary dimension, or a Free-form exploration with Date) and download it again, or "
        "download one day at a time (start date = end date)"
    )
    if preamble.start is None or preamble.end is None:
        where = (
            "its `#` lines name no `Start date` and `End date`"
            if preamble.has_preamble
            else "it has no `#` lines with a `Start date` and an `End date`"
        )
        raise FileRejected(
            f"line {layout.header_line + 1}: the report has no Date column and {where}, so the "
            f"day of its rows is unknown: {fix}"
        )
    if preamble.start != preamble.end:
        days = (preamble.end - preamble.start).days + 1
        raise FileRejected(
            f"the report covers {preamble.start} to {preamble.end} ({days} days) without a Date "
            f"dimension: each row sums {days} days, which is not daily traffic. To load it, {fix}"
        )
    return preamble.start


def reshape_ga4_download(layout: CsvLayout) -> Reshaped:
    """The rows of a GA4 download as the `ga4_export` columns: the date from the `Date` column,
    else the preamble's single day; a totals row left out."""
    columns, params = [], []
    date_index = layout.index(DATE_ALIASES)
    if date_index is not None:
        columns.append(f"c{date_index} as traffic_date")
    else:
        columns.append("? as traffic_date")
        params.append(_single_day(layout).isoformat())
    for canonical, aliases in GA4_DOWNLOAD_COLUMNS.items():
        index = layout.index(aliases) if aliases else None
        if index is not None:
            columns.append(f"c{index} as {canonical}")
    sql = (
        f"select {', '.join(columns)} from source "
        "where not list_contains(?::varchar[], coalesce(lower(trim(c0)), ''))"
    )
    return Reshaped(sql, [*params, list(TOTALS_LABELS)])
