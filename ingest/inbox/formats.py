"""The file formats linkokr accepts, per inbox folder: the registry of the formats each source
package declares (`ingest/sources/<vendor>/formats.py`, on `ingest.inbox.fileformat.FileFormat`),
linkokr's own domain-metrics file, the zip bundles, and the raw tables API pulls land in.

Within a folder the first format whose header test passes wins, so look-alikes are told apart by
their signatures and forbidden columns (docs/sources.md, "Recognised formats and columns").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ingest.inbox.fileformat import FileFormat
from ingest.sources.ahrefs.formats import AHREFS_CURRENT, AHREFS_DR_HISTORY, AHREFS_LEGACY
from ingest.sources.ga4.formats import GA4_EXPORT
from ingest.sources.gsc.export import combine_search_console_export
from ingest.sources.gsc.formats import GSC_UI_EXPORT, GSC_UI_EXPORT_MEMBER
from ingest.sources.majestic.formats import MAJESTIC_BACKLINKS
from ingest.sources.moz.formats import MOZ_BACKLINKS
from ingest.sources.rank_trackers.formats import (
    ACCURANKER,
    AHREFS_RANK_TRACKER,
    RANK_TRACKER_LONG,
    SE_RANKING_WIDE,
)
from ingest.sources.semrush.formats import SEMRUSH_BACKLINKS, SEMRUSH_POSITION_TRACKING

BACKLINK_FORMATS = (
    AHREFS_LEGACY,
    AHREFS_CURRENT,
    SEMRUSH_BACKLINKS,
    MAJESTIC_BACKLINKS,
    MOZ_BACKLINKS,
)

RANKING_FORMATS = (
    SEMRUSH_POSITION_TRACKING,
    SE_RANKING_WIDE,
    AHREFS_RANK_TRACKER,
    ACCURANKER,
    RANK_TRACKER_LONG,
    GSC_UI_EXPORT,
    GSC_UI_EXPORT_MEMBER,
)

# linkokr's own long file of any domain metric: `date,domain,metric,value`
DOMAIN_METRIC_COLUMNS = {
    "metric_date": ["date"],
    "domain": ["domain"],
    "metric": ["metric"],
    "value": ["value"],
}
DOMAIN_METRIC_TYPES = {"metric_date": "date", "value": "number"}
DOMAIN_METRICS_LONG = FileFormat(
    "domain_metrics_long",
    "domain_metrics",
    "domain_metrics",
    "domain_metrics",
    DOMAIN_METRIC_COLUMNS,
    required=list(DOMAIN_METRIC_COLUMNS),
    types=DOMAIN_METRIC_TYPES,
)
DOMAIN_METRIC_FORMATS = (DOMAIN_METRICS_LONG, AHREFS_DR_HISTORY)

TRAFFIC_FORMATS = (GA4_EXPORT,)

FORMATS_BY_KIND = {
    "backlinks": BACKLINK_FORMATS,
    "rankings": RANKING_FORMATS,
    "domain_metrics": DOMAIN_METRIC_FORMATS,
    "traffic": TRAFFIC_FORMATS,
}

# Readers for zips holding several CSVs: each gets the extracted members and a folder to write
# in, and returns the one CSV to load, or None when the zip is not its kind. A zip none of them
# takes must hold exactly one CSV.
ZIP_BUNDLES: tuple[Callable[[Sequence[Path], Path], Path | None], ...] = (
    combine_search_console_export,
)

# API pulls land in their own raw tables (one Dagster asset each), with the columns of the
# vendor's file export so that staging can union files and pulls per vendor.
AHREFS_API = replace(AHREFS_CURRENT, format_id="ahrefs_api", table="backlinks_ahrefs_api")
SEMRUSH_API = replace(SEMRUSH_BACKLINKS, format_id="semrush_api", table="backlinks_semrush_api")
AHREFS_DR_API = replace(
    DOMAIN_METRICS_LONG, format_id="ahrefs_api", source="ahrefs", table="domain_metrics_ahrefs_api"
)
API_FORMATS = (AHREFS_API, SEMRUSH_API, AHREFS_DR_API)
