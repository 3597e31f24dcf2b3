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
from serve.dashboard.charts import attribution_chart, tier_key, tier_name, trend_chart
from serve.dashboard.data import (
    KeyResult,
    read_anchor_distribution,
    read_attribution,
    read_key_results,
    read_own_sites,
    read_quality_tiers,
)

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
# The verdict (fct_key_result_progress.verdict) reads status and projection together; its badge is
# the one a reader sees, so "on track" never sits next to a forecast that misses.
VERDICT_COLOURS = {
    **STATUS_COLOURS,
    "on_pace_trend_short": "#9a6700",
    "behind_trend_recovers": "#0969da",
}
VERDICT_BADGES = {
    **STATUS_LABELS,
    "on_pace_trend_short": "on pace, trend short",
    "behind_trend_recovers": "behind, trend recovers",
}
# The "Backlink Count" KPI's bands for the live_backlinks metric, best first: (lower bound, band).
KPI_BANDS = {"live_backlinks": ((1000.0, "strong"), (500.0, "moderate"), (0.0, "low"))}
TRAFFIC_FIGURES = {
    "organic_key_events_change_pct": "key events",
    "organic_revenue_change_pct": "revenue",
    "organic_transactions_change_pct": "transactions",
}
WHY_LINES = 5  # rows shown per movement; the mart keeps 10
UNKNOWN_COLOUR = "#8c959f"
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


def verdict_of(kr: KeyResult) -> tuple[str, str]:
    """(verdict, verdict in words) of the key result's latest row; the status itself on a
    warehouse built before the mart had a verdict."""
    latest = kr.latest or {}
    verdict = latest.get("verdict") or kr.status
    return verdict, latest.get("verdict_label") or status_label(verdict)


def verdict_badge(kr: KeyResult) -> str:
    verdict, _ = verdict_of(kr)
    if verdict == "behind_trend_recovers" and kr.status == "at_risk":
        return "at risk, trend recovers"
    return VERDICT_BADGES.get(verdict, verdict)


def summary_sentence(kr: KeyResult) -> str:
    """E.g. "912 now (baseline 800, target 1,000) — behind pace, and the 28-day trend ends short
    of the target"; plain text (the template escapes it)."""
    latest = kr.latest or {}
    value = latest.get("value")
    _, verdict = verdict_of(kr)
    target = format_number(kr.target, kr.unit)
    if value is None:
        return f"no value yet, target {target} — {verdict}"
    baseline = latest.get("baseline", kr.baseline)
    facts = [f"target {target}"]
    if baseline is not None and kr.metric != "min_monthly_new_backlinks":
        facts.insert(0, f"baseline {format_number(baseline, kr.unit)}")
    if kr.direction == "down":
        facts.append("lower is better")
    return f"{format_number(value, kr.unit)} now ({', '.join(facts)}) — {verdict}"


def progress_words(kr: KeyResult) -> str | None:
    """Progress and expected progress in words, e.g. "60% of the way from 10 to 20; 68% expected
    by now (pace 0.88)"."""
    latest = kr.latest or {}
    progress, expected = latest.get("progress"), latest.get("expected_progress")
    if progress is None:
        return None
    pace = latest.get("pace")
    pace_text = (
        f" Pace {pace:.2f}: progress ÷ expected progress, 1.00 is exactly on the line."
        if pace is not None
        else ""
    )
    if kr.metric == "min_monthly_new_backlinks":
        floor = f"{percent(progress)} of this month's floor; the floor is due every month."
        return floor + pace_text
    baseline = format_number(latest.get("baseline"), kr.unit)
    target = format_number(kr.target, kr.unit)
    text = f"{percent(progress)} of the way from {baseline} to {target}"
    if expected is not None:
        text += f", {percent(expected)} expected by now"
    return f"{text}.{pace_text}"


def kpi_bands(kr: KeyResult) -> list[tuple[str, str, bool]]:
    """(band, range, is the current band) of the key result's KPI bands, best first; none when
    its metric has no bands."""
    bands = KPI_BANDS.get(kr.metric)
    if not bands:
        return []
    value = (kr.latest or {}).get("value")
    current = next((name for low, name in bands if value is not None and value >= low), None)
    shown = []
    for n, (low, name) in enumerate(bands):
        if n == 0:
            span = f"{format_number(low)}+"
        elif low == 0:
            span = f"below {format_number(bands[n - 1][0])}"
        else:
            span = f"{format_number(low)}–{format_number(bands[n - 1][0] - 1)}"
        shown.append((name, span, name == current))
    return shown


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:,.0f}%"


def bar_width(fraction: float | None) -> str:
    """A progress fraction as a CSS width in percent, clipped to the bar."""
    clipped = 0.0 if fraction is None else max(0.0, min(1.0, float(fraction))) * 100
    return f"{clipped:.1f}%"


def days(value: float | None) -> str:
    """A median number of days, e.g. "9 d"."""
    return "—" if value is None else f"{float(value):.0f} d"


_TEMPLATES.filters.update(
    percent=percent, bar_width=bar_width, label=status_label, days=days, tier=tier_name
)


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
    target: str


@dataclass(frozen=True)
class Mover:
    """One row of a "why" list: what moved (a domain, keyword, page) and how."""

    name: str
    detail: str
    tier: str | None = None
    title: str | None = None  # hover text, e.g. the linking page's URL


@dataclass(frozen=True)
class MoverGroup:
    movement: str
    heading: str
    movers: list[Mover]


@dataclass(frozen=True)
class WhyWindow:
    window_days: int
    groups: list[MoverGroup]


@dataclass(frozen=True)
class Card:
    """One key result's card (and its line in the exceptions panel)."""

    kr: KeyResult
    colour: str
    verdict: str
    badge: str
    verdict_label: str
    sentence: str
    value: str
    baseline: str | None
    target: str
    progress: float | None
    expected: float | None
    progress_words: str | None
    forecast: Forecast | None
    days_left: int
    kpi_bands: list[tuple[str, str, bool]]
    why: list[WhyWindow]
    chart: str | None  # Plotly markup; None: no data yet


@dataclass(frozen=True)
class Objective:
    first: KeyResult
    cards: list[Card]
    days_left: int


@dataclass(frozen=True)
class AttributionSite:
    site: str
    chart: str  # Plotly markup
    windows: list[int]
    # per tier: the tier and, per window, its row (None: no links of that tier and window)
    tiers: list[tuple[str, list[dict | None]]]


def days_left(kr: KeyResult, today: date) -> int:
    """Days from the page's date to the end of the key result's (its objective's) period, so every
    card of one objective says the same; 0 once the period is over."""
    return max(0, (kr.end_date - today).days)


def short_page(page: str | None, site: str) -> str:
    """A page of the site without its domain: "acme.com/guides/x" -> "/guides/x"."""
    if not page:
        return "—"
    return page.removeprefix(site) or "/"


def _date(value: date | None) -> str:
    return value.strftime("%-d %b") if value else "—"


def _mover(kr: KeyResult, row: dict) -> Mover:
    kind, movement = row["member_type"], row["movement"]
    before, after = row.get("before_value"), row.get("after_value")
    if kind == "backlink":
        authority = row.get("authority_score")
        parts = [
            f"authority {format_number(authority)}" if authority is not None else "no authority",
            f"to {short_page(row.get('target_page'), kr.site)}",
            f"{'won' if movement == 'gained' else 'lost'} {_date(row.get('event_date'))}",
        ]
        return Mover(
            row.get("referring_domain") or row["member_id"],
            " · ".join(parts),
            row.get("quality_tier") or "tier_4",
            row.get("source_url"),
        )
    if kind == "referring_domain":
        links = after if movement == "gained" else before
        authority = row.get("authority_score")
        parts = [f"{format_number(links)} competitor link{'s' if links != 1 else ''}"]
        if authority is not None:
            parts.insert(0, f"authority {format_number(authority)}")
        return Mover(row["member_id"], " · ".join(parts))
    if kind == "keyword":
        return Mover(row["member_id"], f"position {position(before)} → {position(after)}")
    if kind == "page" and kr.metric == "pages_in_position_range":
        text = f"best position {position(before, 'not ranking')} → {position(after, 'not ranking')}"
        return Mover(short_page(row["member_id"], kr.site), text)
    if kind == "page":
        figure = TRAFFIC_FIGURES.get(kr.metric, "sessions")
        text = (
            f"{format_number(before)} → {format_number(after)} {figure} "
            f"over 28 days ({signed_number(row.get('change'))})"
        )
        return Mover(short_page(row["member_id"], kr.site), text)
    change = row.get("change")
    return Mover(
        "authority",
        f"{format_number(before)} → {format_number(after)} ({signed_number(change)})"
        if change
        else f"{format_number(before)} → {format_number(after)} (unchanged)",
    )


def signed_number(value: float | None) -> str:
    """A change with its sign: +4, -1."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + format_number(value)


def position(value: float | None, missing: str = "unranked") -> str:
    return missing if value is None else f"{float(value):.1f}"


def _heading(kr: KeyResult, kind: str, movement: str, count: int) -> str:
    gained_lost = {
        "backlink": ("Links won", "Links lost"),
        "referring_domain": ("New link-gap domains", "Link-gap domains closed"),
        "page": ("Pages that entered the range", "Pages that left the range"),
    }
    up_down = {
        "keyword": ("Keywords that moved up", "Keywords that slipped"),
        "page": ("Pages that moved up", "Pages that slipped"),
        "site": ("Authority went up", "Authority went down"),
    }
    if kind == "page" and kr.metric != "pages_in_position_range":
        figure = TRAFFIC_FIGURES.get(kr.metric, "sessions")
        up_down["page"] = (f"Pages gaining organic {figure}", f"Pages losing organic {figure}")
    if movement in ("gained", "lost"):
        heading = gained_lost.get(kind, ("Gained", "Lost"))[movement == "lost"]
    elif movement == "unchanged":
        heading = "Authority unchanged"
    else:
        heading = up_down.get(kind, ("Improved", "Worsened"))[movement == "worsened"]
    if kind == "site":
        return heading
    shown = min(count, WHY_LINES)
    return f"{heading}: {count}" + (f" (top {shown} shown)" if count > shown else "")


def why_windows(kr: KeyResult) -> list[WhyWindow]:
    """What moved the key result, per window (7, then 30 days), from fct_key_result_movers."""
    windows: dict[int, dict[tuple[str, str], list[dict]]] = {}
    for row in kr.movers:
        windows.setdefault(row["window_days"], {}).setdefault(
            (row["movement"], row["member_type"]), []
        ).append(row)
    order = ("gained", "lost", "improved", "worsened", "unchanged")
    result = []
    for window_days in sorted(windows):
        groups = []
        for (movement, kind), rows in sorted(
            windows[window_days].items(),
            key=lambda item: order.index(item[0][0]) if item[0][0] in order else len(order),
        ):
            rows = sorted(rows, key=lambda row: row["movement_rank"])
            groups.append(
                MoverGroup(
                    movement,
                    _heading(kr, kind, movement, rows[0].get("movement_count") or len(rows)),
                    [_mover(kr, row) for row in rows[:WHY_LINES]],
                )
            )
        result.append(WhyWindow(window_days, groups))
    return result


def card(kr: KeyResult, today: date) -> Card:
    latest = kr.latest or {}
    verdict, verdict_label = verdict_of(kr)
    colour = VERDICT_COLOURS.get(verdict, UNKNOWN_COLOUR)
    forecast = None
    if latest.get("projected_value") is not None:
        forecast = Forecast(
            value=format_number(latest["projected_value"], kr.unit),
            end_date=kr.end_date,
            target=format_number(kr.target, kr.unit),
        )
    baseline = latest.get("baseline", kr.baseline)
    return Card(
        kr=kr,
        colour=colour,
        verdict=verdict,
        badge=verdict_badge(kr),
        verdict_label=verdict_label,
        sentence=summary_sentence(kr),
        value=format_number(latest.get("value"), kr.unit),
        baseline=None
        if baseline is None or kr.metric == "min_monthly_new_backlinks"
        else format_number(baseline, kr.unit),
        target=format_number(kr.target, kr.unit),
        progress=latest.get("progress"),
        expected=latest.get("expected_progress"),
        progress_words=progress_words(kr),
        forecast=forecast,
        days_left=days_left(kr, today),
        kpi_bands=kpi_bands(kr),
        why=why_windows(kr),
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
    return [Objective(group[0].kr, group, group[0].days_left) for group in groups.values()]


def verdict_counts(cards: list[Card]) -> list[tuple[str, int, str]]:
    """(badge, key results, colour) of every verdict some key result has, best first."""
    order = list(VERDICT_COLOURS)
    counts: dict[tuple[str, str], int] = {}
    for one in cards:
        counts[(one.verdict, one.badge)] = counts.get((one.verdict, one.badge), 0) + 1
    ranked = sorted(
        counts.items(),
        key=lambda item: order.index(item[0][0]) if item[0][0] in order else len(order),
    )
    return [
        (badge, count, VERDICT_COLOURS.get(verdict, UNKNOWN_COLOUR))
        for (verdict, badge), count in ranked
    ]


def anchor_sites(rows: list[dict]) -> list[tuple[str, date, list[dict]]]:
    """(site, month, rows by share) of the anchor-text distribution's latest month per site."""
    by_site: dict[str, list[dict]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(row)
    return [(site, site_rows[0]["month"], site_rows) for site, site_rows in by_site.items()]


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
    cards = [card(kr, today) for kr in key_results]
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
        verdict_counts=verdict_counts(cards),
        exceptions=exception_cards(cards),
        objectives=objectives(cards),
        hint=ADD_KEY_RESULTS_HINT,
        example=key_result_example(sites[0] if sites else "example.com", today),
        attribution=attribution_sites(read_attribution(con)),
        tiers=read_quality_tiers(con),
        anchors=anchor_sites(read_anchor_distribution(con)),
    )
