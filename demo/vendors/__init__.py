"""Write the demo `World` out in the vendors' own export formats, and as the API emulators
serve it.

Each file writer produces what a person would download from the vendor's UI, in every
variant docs/sources.md lists: Ahrefs' "Excel" CSV (UTF-16 LE with BOM, TAB, CRLF), its UTF-8
comma option and its pre-2022 legacy export; Semrush's UTF-8-with-BOM CSV, current and older
(`Page score`); Majestic's CamelCase and spaced-header exports, flags empty when false; Moz's
current and classic (Yes/No, `N%` spam) exports with metadata lines above the header; zips
holding one export; Ahrefs' domain-rating history; a generic long rank-tracker CSV, the weekly
domain-metrics CSV. The emulator writers give the GA4, Ahrefs v3 and Semrush emulators the
same world as the API would return it. Values that a vendor reports per link but the story
does not model (UR, page traffic, ...) come from one random stream per link, so a link looks
the same in every snapshot and every format.

The layouts here (headers, encodings, column codes) and the emulators' are written down again,
not imported from the clients and parsers in ingest/sources: that independence is what lets a
test fail when a client or parser drifts from the vendor's real format.
"""

from demo.vendors.ahrefs import (
    ahrefs_excel_bytes,
    write_ahrefs,
    write_ahrefs_legacy,
    write_ahrefs_utf8,
)
from demo.vendors.api import write_ahrefs_api, write_ahrefs_dr_api, write_ga4, write_semrush_api
from demo.vendors.common import LinkFacts, write_zip
from demo.vendors.majestic import write_majestic, write_majestic_spaced
from demo.vendors.metrics import (
    daily_domain_rating,
    write_domain_metrics,
    write_dr_history,
    write_rankings,
)
from demo.vendors.moz import write_moz, write_moz_legacy
from demo.vendors.semrush import semrush_bytes, write_semrush

__all__ = [
    "LinkFacts",
    "ahrefs_excel_bytes",
    "daily_domain_rating",
    "semrush_bytes",
    "write_ahrefs",
    "write_ahrefs_api",
    "write_ahrefs_dr_api",
    "write_ahrefs_legacy",
    "write_ahrefs_utf8",
    "write_domain_metrics",
    "write_dr_history",
    "write_ga4",
    "write_majestic",
    "write_majestic_spaced",
    "write_moz",
    "write_moz_legacy",
    "write_rankings",
    "write_semrush",
    "write_semrush_api",
    "write_zip",
]
