"""The OKR dashboard: one self-contained HTML page for the people who own the key results.

It reads the OKR marts (`dim_key_results`, `fct_key_result_progress`, `fct_key_result_movers`),
the attribution mart (`fct_attribution_by_tier`), the tier rules (`dim_quality_tiers`) and, when
the warehouse has it, the anchor-text mix (`fct_anchor_distribution`). Per objective it renders
each key result's value next to its baseline and target, its progress against the expected pace
in words, one verdict that reads pace and the 28-day trend together, a daily trend line, and why
it moved over the last 7 and 30 days; the key results that are behind or missed are listed
first, and a legend states each quality tier's rule. While the config has no key result yet, the
page says what to add.
Charts are Plotly figures; plotly.js is inlined once, so the page opens from disk with no network
(a marketing lead may read it on a train).

- `data`: what the page reads from the marts;
- `charts`: the Plotly figures;
- `page`: what each part of the page shows, laid out by `templates/dashboard.html.j2` (Jinja,
  autoescaped);
- here: where the page lives, and writing it.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import duckdb

from ingest.settings import DASHBOARD_FILE, dashboard_path
from serve.dashboard.data import KeyResult, read_attribution, read_key_results, read_own_sites
from serve.dashboard.page import build_dashboard, format_number, summary_sentence
from serve.files import write_text_atomically

__all__ = [
    "DASHBOARD_FILE",
    "KeyResult",
    "build_dashboard",
    "dashboard_path",
    "format_number",
    "read_attribution",
    "read_key_results",
    "read_own_sites",
    "summary_sentence",
    "write_dashboard",
]

log = logging.getLogger(__name__)


def write_dashboard(
    con: duckdb.DuckDBPyConnection, out_path: Path, today: date | None = None
) -> Path:
    """Render the dashboard and replace `out_path` atomically: a reader (or a browser reloading
    the page) sees the old page or the new one, never half a file."""
    page = build_dashboard(con, today)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(out_path, page)
    log.info("OKR dashboard written to %s (%d bytes)", out_path, out_path.stat().st_size)
    return out_path
