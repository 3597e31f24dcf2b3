"""Semrush Position Tracking "Rankings Overview" exports (docs/sources.md §3): wide, one group
of columns per tracked target and date — the position (`-` when not ranking), `_type` (the SERP
feature) and `_landing` (the ranking URL). The project's own domain is the first target Semrush
writes; competitors follow, and their rows land under their own domain (`target_domain`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from ingest.domains import has_public_suffix, host_of, registrable_domain
from ingest.inbox.fileformat import Reshaped
from ingest.inbox.files import CsvLayout, FileRejected
from ingest.sources.rank_trackers.files import KEYWORD, TAGS, VOLUME, column_sql, long_select

# `acme.com/*_20260401`, `*.acme.com/*_20260401_type`, `https://acme.com/blog/*_20260401_landing`
SEMRUSH_DATE_COLUMN = re.compile(
    r"^(?P<target>.+?)_(?P<date>\d{8})(?:_(?P<part>type|landing))?$", re.IGNORECASE
)
# Normalized header names (see files.normalize_header): what the format matchers see.
_SEMRUSH_NORMALIZED = re.compile(r"^[0-9a-z%]*[a-z][0-9a-z%]*\d{8}$")


def has_semrush_date_columns(names: Sequence[str]) -> bool:
    return any(_SEMRUSH_NORMALIZED.match(n) for n in names)


def _target_domain(target: str) -> str | None:
    """`*.acme.com/*` -> `acme.com`: the registrable domain a Semrush column tracks."""
    host = host_of(target.strip().removeprefix("*.").removeprefix("*"))
    return registrable_domain(host) if host and has_public_suffix(host) else None


def semrush_date_groups(header: Sequence[str]) -> list[tuple[str, date, dict[str, int]]]:
    """(target domain, date, {part: column index}) per date and target, in header order; part is
    `position`, `type` (SERP feature) or `landing` (URL). Groups without a position are dropped."""
    groups: dict[tuple[str, date], dict[str, int]] = {}
    for index, name in enumerate(header):
        match = SEMRUSH_DATE_COLUMN.match(name.strip())
        if not match:
            continue
        try:
            day = datetime.strptime(match["date"], "%Y%m%d").date()
        except ValueError:
            continue
        domain = _target_domain(match["target"])
        if domain is None:
            continue
        part = (match["part"] or "position").lower()
        groups.setdefault((domain, day), {}).setdefault(part, index)
    return [(domain, day, parts) for (domain, day), parts in groups.items() if "position" in parts]


def reshape_semrush_position_tracking(layout: CsvLayout) -> Reshaped:
    """Per target and date a position column (`-` when not ranking), `_type` (SERP feature) and
    `_landing` (ranking URL), unnested into one long row each."""
    groups = semrush_date_groups(layout.header)
    if not groups:
        raise FileRejected("Semrush Position Tracking export without `<target>_YYYYMMDD` columns")
    null = "cast(null as varchar)"
    cells, params = [], []
    for domain, day, parts in groups:
        cells.append(
            {
                "ranking_date": "?",
                "target_domain": "?",
                "position": f"c{parts['position']}",
                "serp_feature": f"c{parts['type']}" if "type" in parts else null,
                "url": f"c{parts['landing']}" if "landing" in parts else null,
            }
        )
        params += [day.isoformat(), domain]
    fixed = {
        "keyword": column_sql(layout, KEYWORD),
        "tags": column_sql(layout, TAGS),
        "search_volume": column_sql(layout, VOLUME),
    }
    parts = ("ranking_date", "target_domain", "position", "serp_feature", "url")
    # The project's own domain is the first target Semrush writes; competitors follow.
    return Reshaped(long_select(fixed, cells, parts), params, len(groups), groups[0][0])
