"""Search Console UI exports dropped in `rankings/` (docs/sources.md §3): the zip's CSVs combined
by `ingest.sources.gsc.export` into one long file of period aggregates (no date per query), kept
apart from the daily rank rows in `raw.gsc_export`. The API pulls have their own typed table
(`ingest.sources.gsc.api`)."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat
from ingest.sources.gsc.export import (
    GSC_COMBINED_COLUMNS,
    is_search_console_member,
    refuse_search_console_member,
)

GSC_EXPORT_TYPES = {
    "report_date": "date",
    "clicks": "number",
    "impressions": "number",
    "ctr": "percent",
    "position": "number",
    "period_start": "date",
    "period_end": "date",
}

GSC_UI_EXPORT = FileFormat(
    "gsc_ui_export",
    "gsc",
    "rankings",
    "gsc_export",
    {column: [header] for column, header in GSC_COMBINED_COLUMNS.items()},
    required=["report"],
    signature=[GSC_COMBINED_COLUMNS["report"]],
    site_column="page",
    site_required=True,
    types=GSC_EXPORT_TYPES,
)

# One report of an export dropped without its zip (`Queries.csv`): recognised only to be
# refused with what to do, since its period is in the zip's other files.
GSC_UI_EXPORT_MEMBER = FileFormat(
    "gsc_ui_export_member",
    "gsc",
    "rankings",
    "gsc_export",
    {column: [] for column in GSC_COMBINED_COLUMNS},
    required=["report"],
    header_test=is_search_console_member,
    reshape=refuse_search_console_member,
)
