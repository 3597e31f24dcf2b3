"""GA4 report downloads dropped in `traffic/` (docs/sources.md §4 and §6), the offline fallback
for the Data API: a `#` preamble with the date range precedes the header, which the header
search skips. The reshape dates each row (`ingest.sources.ga4.files`) and refuses a multi-day
report without a Date column. The site is the Hostname column's domain, else the domain in the
file name."""

from __future__ import annotations

from ingest.inbox.fileformat import FileFormat
from ingest.sources.ga4.files import GA4_DOWNLOAD_COLUMNS, reshape_ga4_download

GA4_EXPORT = FileFormat(
    "ga4_export",
    "ga4_export",
    "traffic",
    "traffic_ga4_export",
    GA4_DOWNLOAD_COLUMNS,
    required=["traffic_date", "landing_page", "sessions"],
    signature=["Sessions"],
    site_column="host_name",
    site_required=True,
    reshape=reshape_ga4_download,
    types={
        "traffic_date": "date",
        **{
            metric: "number"
            for metric in (
                "sessions",
                "engaged_sessions",
                "key_events",
                "transactions",
                "revenue",
            )
        },
    },
)
