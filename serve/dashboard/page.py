"""The dashboard page: what each part shows, worked out here, and laid out by the Jinja template
`templates/dashboard.html.j2`.

The template is rendered with autoescaping on, so every value from the config or the marts (a
site, a key result's title) is escaped wherever it lands; the only markup inserted as is, with
`|safe` in the template, is plotly.js and the Plotly figures this package renders.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import jinja2
import plotly.offline

from ingest.config import ADD_KEY_RESULTS_HINT
from serve.dashboard.charts import attribution_chart, tier_key, trend_chart
from serve.dashboard.data import KeyResult, read_attribution, read_key_results, read_own_sites

TITLE = "Link-building OKRs"
STATUS_COLOURS = {
    "achieved": "#116329",
    "on_track": "#2da44e",
    "at_risk": "#bf8700",
    "behind": "#e16f24",
    "missed": "#cf222e",
    "no_data": "#8c959f",
}
STATUS_LABELS = {
    "achieved": "achieved",
    "on_track": "on track",
    "at_risk": "at risk",
    "behind": "behind",
    "missed": "missed",
    "no_data": "no data",
}
UNKNOWN_COLOUR = "#8c959f"
MUTED_COLOUR = "#57606a"
# Exceptions are what a reader must act on; the worst comes first.
EXCEPTIONS = ("missed", "behind")

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("serve.dashboard", "templates"),
    autoescape=jinja2.select_autoescape(("html", "html.j2"), default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


# --- formatting --------------------------------------------------------------------------------


def format_number(value: float | None, unit: str | None = None) -> str:
    """A value as a reader says it: 1,000; 4.26; +19.6%."""
    if value is None:
        return "—"
    value = float(value)
    if unit == "percent":
        return f"{value:+,.1f}".removesuffix(".0") + "%"
    if value == int(value) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def summary_sentence(kr: KeyResult) -> str:
    """E.g. "value 912 of 1,000 — behind (pace 0.62)"; plain text (the template escapes it)."""
    latest = kr.latest or {}
    value = latest.get("value")
    status = status_label(kr.status)
    target = format_number(kr.target, kr.unit)
    if value is None:
        return f"no value yet, target {target} — {status}"
    shown = format_number(value, kr.unit)
    if kr.direction == "down":
        text = f"{kr.unit or 'value'} {shown}, target {target} (lower is better)"
    else:
        text = f"value {shown} of {target}"
    pace = latest.get("pace")
    pace_text = f" (pace {pace:.2f})" if pace is not None else ""
    return f"{text} — {status}{pace_text}"


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:,.0f}%"


def bar_width(fraction: float | None) -> str:
    """A progress fraction as a CSS width in percent, clipped to the bar."""
    clipped = 0.0 if fraction is None else max(0.0, min(1.0, float(fraction))) * 100
    return f"{clipped:.1f}%"


def days(value: float | None) -> str:
    """A median number of days, e.g. "9 d"."""
    return "—" if value is None else f"{float(value):.0f} d"


_TEMPLATES.filters.update(percent=percent, bar_width=bar_width, label=status_label, days=days)


def key_result_example(site: str, today: date) -> str:
    """The smallest objective that gives a key-result card: one site, this quarter."""
    last_month = 3 * ((today.month - 1) // 3) + 3
    start = date(today.year, last_month - 2, 1)
    end = date(today.year, last_month, calendar.monthrange(today.year, last_month)[1])
    return f"""sites:
  - domain: {site}
    objectives:
      - id: authority
        title: Build domain authority
        period: {{start: {start.isoformat()}, end: {end.isoformat()}}}
        key_results:
          - id: referring-domains
            metric: referring_domains
            target: 1000"""


# --- what each part shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    value: str
    end_date: date
    status: str
    colour: str


@dataclass(frozen=True)
class Card:
    """One key result's card (and its line in the exceptions panel)."""

    kr: KeyResult
    colour: str
    sentence: str
    progress: float | None
    expected: float | None
    forecast: Forecast | None
    days_remaining: int | None
    chart: str | None  # Plotly markup; None: no data yet


@dataclass(frozen=True)
class Objective:
    first: KeyResult
    cards: list[Card]


@dataclass(frozen=True)
class AttributionSite:
    site: str
    chart: str  # Plotly markup
    windows: list[int]
    # per tier: the tier and, per window, its row (None: no links of that tier and window)
    tiers: list[tuple[str, list[dict | None]]]


def card(kr: KeyResult) -> Card:
    latest = kr.latest or {}
    colour = STATUS_COLOURS.get(kr.status, UNKNOWN_COLOUR)
    forecast = None
    if latest.get("projected_value") is not None:
        projected = latest.get("projected_status") or ""
        forecast = Forecast(
            value=format_number(latest["projected_value"], kr.unit),
            end_date=kr.end_date,
            status=projected,
            colour=STATUS_COLOURS.get(projected, MUTED_COLOUR),
        )
    return Card(
        kr=kr,
        colour=colour,
        sentence=summary_sentence(kr),
        progress=latest.get("progress"),
        expected=latest.get("expected_progress"),
        forecast=forecast,
        days_remaining=latest.get("days_remaining"),
        chart=trend_chart(kr, colour),
    )


def exception_cards(cards: Iterable[Card]) -> list[Card]:
    """The behind and missed key results, missed first."""
    rank = {status: n for n, status in enumerate(EXCEPTIONS)}
    return sorted((c for c in cards if c.kr.status in rank), key=lambda c: rank[c.kr.status])


def objectives(cards: Iterable[Card]) -> list[Objective]:
    groups: dict[str, list[Card]] = {}
    for one in cards:
        groups.setdefault(one.kr.objective_id, []).append(one)
    return [Objective(group[0].kr, group) for group in groups.values()]


def status_counts(key_results: list[KeyResult]) -> list[tuple[str, int, str]]:
    """(status, key results, colour) of every status some key result has, known ones first."""
    counts = {status: 0 for status in STATUS_COLOURS}
    for kr in key_results:
        counts[kr.status] = counts.get(kr.status, 0) + 1
    return [
        (status, count, STATUS_COLOURS.get(status, UNKNOWN_COLOUR))
        for status, count in counts.items()
        if count
    ]


def attribution_sites(rows: list[dict]) -> list[AttributionSite]:
    by_site: dict[str, list[dict]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(row)
    sites = []
    for site, site_rows in by_site.items():
        tiers = sorted({row["quality_tier"] for row in site_rows}, key=tier_key)
        windows = sorted({row["window_days"] for row in site_rows})
        by_key = {(row["quality_tier"], row["window_days"]): row for row in site_rows}
        sites.append(
            AttributionSite(
                site=site,
                chart=attribution_chart(site, tiers, windows, by_key),
                windows=windows,
                tiers=[(tier, [by_key.get((tier, w)) for w in windows]) for tier in tiers],
            )
        )
    return sites


def build_dashboard(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    """The dashboard as one HTML document (plotly.js inlined, no external resources)."""
    today = today or date.today()
    key_results = read_key_results(con)
    cards = [card(kr) for kr in key_results]
    sites = sorted({kr.site for kr in key_results}) if key_results else read_own_sites(con)
    data_through = max(
        (kr.latest["date"] for kr in key_results if kr.latest and kr.latest["value"] is not None),
        default=None,
    )
    return _TEMPLATES.get_template("dashboard.html.j2").render(
        title=TITLE,
        plotlyjs=plotly.offline.get_plotlyjs(),
        sites=sites,
        today=today,
        data_through=data_through,
        key_results=len(key_results),
        status_counts=status_counts(key_results),
        exceptions=exception_cards(cards),
        objectives=objectives(cards),
        hint=ADD_KEY_RESULTS_HINT,
        example=key_result_example(sites[0] if sites else "example.com", today),
        attribution=attribution_sites(read_attribution(con)),
    )
