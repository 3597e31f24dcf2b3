"""The review digest: the week, month or quarter ending on the last data day (docs/review.md),
for the cadence OKRs are run on (weekly reviews, monthly check-ins, quarterly strategic reviews).

It summarises what changed over the period against the period before: each key result's status
then and now with its forecast, links won and lost by quality tier, the keywords and pages that
moved most. It reads the marts read-only (the serving copy, else the warehouse) and writes two
files, a self-contained HTML page and the same digest in Markdown (what the weekly schedule posts
to the alert webhook).

- `data`: the period and the queries (aggregated in DuckDB, bound parameters);
- `render`: the Markdown and HTML, laid out by the Jinja templates in `templates/`;
- here: where the files go, and writing them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.config import Settings, load_config
from ingest.settings import Paths
from serve.files import write_text_atomically
from serve.review.data import (
    PERIODS,
    NoMarts,
    Period,
    Review,
    open_marts,
    period_ending,
    read_review,
)
from serve.review.render import render_html, render_markdown

__all__ = [
    "PERIODS",
    "REVIEWS_DIR",
    "NoMarts",
    "Period",
    "Review",
    "WrittenReview",
    "period_ending",
    "review_file_stem",
    "write_review",
]

log = logging.getLogger(__name__)

# Where the digests go by default: `reviews/` in the linkokr home.
REVIEWS_DIR = "reviews"


@dataclass(frozen=True)
class WrittenReview:
    review: Review
    html: Path
    markdown: Path
    text: str  # the Markdown


def review_file_stem(period: Period) -> str:
    """`review-week-2026-12-03`: the period and its last day, so a new review never overwrites
    an older one, and the same review written again replaces itself."""
    return f"review-{period.name}-{period.end.isoformat()}"


def unranked_position(paths: Paths) -> float:
    """The config's `settings.unranked_position` (its default without a config file)."""
    settings = load_config(paths.config).settings if paths.config.exists() else Settings()
    return float(settings.unranked_position)


def write_review(
    paths: Paths,
    period: str = "week",
    *,
    on: date | None = None,
    output: Path | None = None,
    now: datetime | None = None,
) -> WrittenReview:
    """Read the review of `period` ending on `on` (None: the last data day) and write it as
    `<stem>.html` and `<stem>.md` in `output` (default: `reviews/` in the home).

    Raises `NoMarts` when there is nothing to review yet."""
    unranked = unranked_position(paths)
    con, source = open_marts(paths)
    try:
        review = read_review(con, period, source=source, unranked_position=unranked, on=on)
    finally:
        con.close()
    now = now or datetime.now(UTC)
    folder = output or paths.home / REVIEWS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = review_file_stem(review.period)
    html, markdown = folder / f"{stem}.html", folder / f"{stem}.md"
    text = render_markdown(review, now)
    write_text_atomically(html, render_html(review, now))
    write_text_atomically(markdown, text)
    log.info("%s review written to %s and %s", period, html, markdown)
    return WrittenReview(review=review, html=html, markdown=markdown, text=text)
