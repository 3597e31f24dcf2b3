"""The digest as Markdown (for a chat webhook or a wiki) and as one self-contained HTML page, both
laid out by the Jinja templates in `templates/`.

The HTML template is rendered with autoescaping on, so a keyword, page or key-result title from
the marts is escaped wherever it lands; the Markdown one escapes table cells (`|`, line breaks)
with the `cell` filter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2

from serve.dashboard.charts import tier_key
from serve.dashboard.page import STATUS_COLOURS, UNKNOWN_COLOUR, format_number, status_label
from serve.review.data import Review

TITLES = {"week": "Weekly review", "month": "Monthly review", "quarter": "Quarterly review"}
CHANGE_LABELS = {
    "better": "better",
    "worse": "worse",
    "changed": "changed",
    "same": "",
    "new": "new",
    "no_data": "no data",
}


def position(value: float | None, unranked: float) -> str:
    """A mean position, "not ranked" when every day of it was unranked."""
    if value is None:
        return "—"
    if value >= unranked:
        return "not ranked"
    return f"{value:.1f}"


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:+,.{digits}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def percent_change(value: float | None) -> str:
    return "—" if value is None else f"{value:+,.1f}%"


def rate(value: float | None) -> str:
    """Sessions per day: whole numbers from 100 up, one decimal below."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def cell(value: Any) -> str:
    """A Markdown table cell: a `|` would end the cell, a line break the row."""
    return " ".join(str(value).split()).replace("|", "\\|")


def status_colour(status: str | None) -> str:
    return STATUS_COLOURS.get(status or "no_data", UNKNOWN_COLOUR)


FILTERS = {
    "position": position,
    "signed": signed,
    "percent_change": percent_change,
    "number": format_number,
    "rate": rate,
    "label": lambda status: status_label(status) if status else "—",
    "change_label": lambda change: CHANGE_LABELS.get(change, change),
    "colour": status_colour,
    "cell": cell,
}


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("serve.review", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(FILTERS)
    return env


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False)


def _context(review: Review, generated_at: datetime) -> dict[str, Any]:
    links = sorted(review.links, key=lambda row: (row["site"], tier_key(row["quality_tier"])))
    won = sum(row["won"] for row in links)
    lost = sum(row["lost"] for row in links)
    changes = review.status_changes
    sites = review.sites or sorted({kr["site"] for kr in review.key_results})
    return {
        "review": review,
        "period": review.period,
        "title": TITLES[review.period.name],
        "word": review.period.name,
        "sites": sites,
        "generated_at": generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "key_results": review.key_results,
        "changes": changes,
        "worse": [kr for kr in changes if kr["change"] == "worse"],
        "better": [kr for kr in changes if kr["change"] == "better"],
        "forecasts": [kr for kr in review.key_results if kr["projected_status"] is not None],
        "links": links,
        "won": won,
        "lost": lost,
        "unranked": review.unranked_position,
    }


def render_markdown(review: Review, generated_at: datetime) -> str:
    return _MARKDOWN.get_template("review.md.j2").render(_context(review, generated_at))


def render_html(review: Review, generated_at: datetime) -> str:
    return _HTML.get_template("review.html.j2").render(_context(review, generated_at))
