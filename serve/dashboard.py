"""The OKR dashboard: one self-contained HTML page for the people who own the key results.

It reads the OKR marts (`dim_key_results`, `fct_key_result_progress`) and the attribution mart
(`fct_attribution_by_tier`) and renders, per objective, each key result's progress against its
expected pace, its status, a daily trend line and the forecast; the key results that are behind
or missed are listed first. While the config has no key result yet, the page says what to add.
Charts are Plotly figures; plotly.js is inlined once, so the page opens from disk with no network
(a marketing lead may read it on a train).
"""

from __future__ import annotations

import calendar
import html
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from plotly.subplots import make_subplots

from ingest.config import ADD_KEY_RESULTS_HINT

log = logging.getLogger(__name__)

DASHBOARD_FILE = Path("dashboard") / "okr_dashboard.html"

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
# Exceptions are what a reader must act on; the worst comes first.
EXCEPTIONS = ("missed", "behind")
TIER_ORDER = ("tier_1", "tier_2", "tier_3", "tier_4", "toxic")
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}

# Columns beyond the docs/warehouse.md contract are read only when the marts have them, so the page
# still renders against a warehouse built by an older dbt project.
OPTIONAL_KR_COLUMNS = ("objective_owner", "unit", "milestones")
OPTIONAL_PROGRESS_COLUMNS = ("expected_value",)


@dataclass
class KeyResult:
    kr_id: str
    objective_id: str
    objective_title: str
    objective_owner: str | None
    site: str
    title: str
    metric: str
    direction: str
    unit: str | None
    baseline: float | None
    target: float
    start_date: date
    end_date: date
    owner: str | None
    milestones: list[tuple[date, float]] = field(default_factory=list)
    days: list[dict[str, Any]] = field(default_factory=list)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.days[-1] if self.days else None

    @property
    def status(self) -> str:
        latest = self.latest
        return (latest or {}).get("status") or "no_data"


def dashboard_path(warehouse: Path) -> Path:
    """Where the dashboard of a warehouse lives: `dashboard/okr_dashboard.html` beside it."""
    return warehouse.parent / DASHBOARD_FILE


def write_dashboard(
    con: duckdb.DuckDBPyConnection, out_path: Path, today: date | None = None
) -> Path:
    """Render the dashboard and replace `out_path` atomically: a reader (or a browser reloading
    the page) sees the old page or the new one, never half a file."""
    page = build_dashboard(con, today)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(page)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, out_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    log.info("OKR dashboard written to %s (%d bytes)", out_path, out_path.stat().st_size)
    return out_path


def build_dashboard(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    """The dashboard as one HTML document (plotly.js inlined, no external resources)."""
    today = today or date.today()
    key_results = read_key_results(con)
    attribution = read_attribution(con)
    if key_results:
        sites = sorted({kr.site for kr in key_results})
        okrs = [
            _exceptions_panel(key_results),
            *(_objective_section(group) for group in _by_objective(key_results)),
        ]
    else:
        sites = read_own_sites(con)
        okrs = [_empty_state(sites, today)]
    sections = [_header(key_results, sites, today), *okrs, _attribution_section(attribution)]
    body = "\n".join(sections)
    return PAGE.format(
        title="Link-building OKRs",
        css=CSS,
        plotlyjs=plotly.offline.get_plotlyjs(),
        body=body,
    )


# --- reading -----------------------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {row[0] for row in rows}


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence = ()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_key_results(con: duckdb.DuckDBPyConnection) -> list[KeyResult]:
    """Every key result of `marts.dim_key_results` (config order) with its daily progress rows."""
    available = _columns(con, "marts", "dim_key_results")
    extra = [c for c in OPTIONAL_KR_COLUMNS if c in available]
    # Identifiers come from the fixed lists above, never from data.
    select = ", ".join(
        [
            "kr_id",
            "objective_id",
            "objective_title",
            "site",
            "title",
            "metric",
            "direction",
            "baseline",
            "target",
            "start_date",
            "end_date",
            "owner",
            *extra,
        ]
    )
    # No order by: the mart keeps the config's order, which is the order its owners think in.
    dims = _records(con, f"select {select} from marts.dim_key_results")
    progress_extra = [
        c
        for c in OPTIONAL_PROGRESS_COLUMNS
        if c in _columns(con, "marts", "fct_key_result_progress")
    ]
    progress_select = ", ".join(
        [
            "kr_id",
            "date",
            "value",
            "baseline",
            "target",
            "progress",
            "expected_progress",
            "pace",
            "status",
            "projected_value",
            "projected_status",
            "days_remaining",
            *progress_extra,
        ]
    )
    rows = _records(
        con, f"select {progress_select} from marts.fct_key_result_progress order by kr_id, date"
    )
    by_kr: dict[str, list[dict]] = {}
    for row in rows:
        by_kr.setdefault(row["kr_id"], []).append(row)

    key_results = []
    for dim in dims:
        key_results.append(
            KeyResult(
                kr_id=dim["kr_id"],
                objective_id=dim["objective_id"],
                objective_title=dim["objective_title"] or dim["objective_id"],
                objective_owner=dim.get("objective_owner"),
                site=dim["site"],
                title=dim["title"] or dim["kr_id"],
                metric=dim["metric"],
                direction=dim["direction"] or "up",
                unit=dim.get("unit"),
                baseline=dim["baseline"],
                target=float(dim["target"]),
                start_date=dim["start_date"],
                end_date=dim["end_date"],
                owner=dim["owner"],
                milestones=sorted(
                    (m["date"], float(m["value"])) for m in dim.get("milestones") or []
                ),
                days=by_kr.get(dim["kr_id"], []),
            )
        )
    return key_results


def read_own_sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The own sites (not competitors) of `marts.dim_sites`; none before dbt has built it."""
    if not _columns(con, "marts", "dim_sites"):
        return []
    rows = con.execute(
        "select site from marts.dim_sites where not coalesce(is_competitor, false) order by site"
    ).fetchall()
    return [row[0] for row in rows]


def read_attribution(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Rows of `marts.fct_attribution_by_tier`; none when the mart is not built (yet)."""
    if not _columns(con, "marts", "fct_attribution_by_tier"):
        return []
    return _records(
        con,
        """select site, quality_tier, window_days, links, complete_links,
                  median_position_change, share_improved, median_adjusted_sessions_lift_pct,
                  median_days_to_rank_improvement
           from marts.fct_attribution_by_tier
           order by site, window_days, quality_tier""",
    )


# --- formatting --------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


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


def summary_sentence(kr: KeyResult) -> str:
    """E.g. "value 912 of 1,000 — behind (pace 0.62)"; plain text, escape before use."""
    latest = kr.latest or {}
    value = latest.get("value")
    status = STATUS_LABELS.get(kr.status, kr.status)
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


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:,.0f}%"


def _bar_width(fraction: float | None) -> float:
    if fraction is None:
        return 0.0
    return max(0.0, min(1.0, float(fraction))) * 100


# --- page parts --------------------------------------------------------------------------------


def _by_objective(key_results: Iterable[KeyResult]) -> list[list[KeyResult]]:
    groups: dict[str, list[KeyResult]] = {}
    for kr in key_results:
        groups.setdefault(kr.objective_id, []).append(kr)
    return list(groups.values())


def _header(key_results: list[KeyResult], sites: list[str], today: date) -> str:
    data_through = max(
        (kr.latest["date"] for kr in key_results if kr.latest and kr.latest["value"] is not None),
        default=None,
    )
    counts = {status: 0 for status in STATUS_COLOURS}
    for kr in key_results:
        counts[kr.status] = counts.get(kr.status, 0) + 1
    chips = "".join(
        f'<span class="chip" style="--c:{STATUS_COLOURS.get(status, "#8c959f")}">'
        f"{count} {_e(STATUS_LABELS.get(status, status))}</span>"
        for status, count in counts.items()
        if count
    )
    through = f" · data through {data_through.isoformat()}" if data_through else ""
    return f"""<header>
  <h1>Link-building OKRs{": " + _e(", ".join(sites)) if sites else ""}</h1>
  <p class="sub">As of {today.isoformat()}{through} · {len(key_results)} key results</p>
  <div class="chips">{chips}</div>
</header>"""


def _empty_state(sites: list[str], today: date) -> str:
    """What the page says while the config has sites but no key result: what to add, rather than
    an empty grid of cards."""
    return f"""<section id="no-key-results" class="panel empty" data-empty-state="no-key-results">
  <h2>No key results yet</h2>
  <p>No key results in linkokr.yml yet: {_e(ADD_KEY_RESULTS_HINT)}, then run
  <code>linkokr run</code>. For example:</p>
  <pre>{_e(key_result_example(sites[0] if sites else "example.com", today))}</pre>
</section>"""


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


def _exceptions_panel(key_results: list[KeyResult]) -> str:
    rank = {status: n for n, status in enumerate(EXCEPTIONS)}
    exceptions = sorted(
        (kr for kr in key_results if kr.status in rank), key=lambda kr: rank[kr.status]
    )
    if not exceptions:
        items = '<p class="ok">No key result is behind or missed.</p>'
    else:
        items = (
            "<ul>"
            + "".join(
                f'<li data-exception-kr-id="{_e(kr.kr_id)}" data-status="{_e(kr.status)}">'
                f'<span class="dot" style="--c:{STATUS_COLOURS[kr.status]}"></span>'
                f'<a href="#kr-{_e(kr.kr_id)}">{_e(kr.title)}</a> '
                f'<span class="muted">({_e(kr.objective_title)})</span><br>'
                f"{_e(summary_sentence(kr))}</li>"
                for kr in exceptions
            )
            + "</ul>"
        )
    return f"""<section id="exceptions" class="panel exceptions">
  <h2>Needs attention: behind or missed ({len(exceptions)})</h2>
  {items}
</section>"""


def _objective_section(group: list[KeyResult]) -> str:
    first = group[0]
    owner = first.objective_owner
    meta = [f"{first.start_date.isoformat()} → {first.end_date.isoformat()}"]
    if owner:
        meta.insert(0, f"owner {owner}")
    cards = "\n".join(_kr_card(kr) for kr in group)
    return f"""<section class="objective" data-objective-id="{_e(first.objective_id)}">
  <h2>{_e(first.objective_title)}</h2>
  <p class="sub">{_e(" · ".join(meta))} · {_e(first.site)}</p>
  <div class="cards">
{cards}
  </div>
</section>"""


def _kr_card(kr: KeyResult) -> str:
    latest = kr.latest or {}
    colour = STATUS_COLOURS.get(kr.status, "#8c959f")
    progress = latest.get("progress")
    expected = latest.get("expected_progress")
    marker = (
        f'<span class="expected" style="left:{_bar_width(expected):.1f}%" '
        f'title="expected {_percent(expected)}"></span>'
        if expected is not None
        else ""
    )
    forecast = ""
    if latest.get("projected_value") is not None:
        projected = latest.get("projected_status") or ""
        forecast = (
            f"Forecast: {_e(format_number(latest['projected_value'], kr.unit))} by "
            f"{kr.end_date.isoformat()} — "
            f'<b style="color:{STATUS_COLOURS.get(projected, "#57606a")}">'
            f"{_e(STATUS_LABELS.get(projected, projected))}</b>"
        )
    if latest.get("days_remaining") is not None:
        days_left = f"{latest['days_remaining']} days left"
        forecast = f"{forecast} · {days_left}" if forecast else days_left
    owner = f" · owner {_e(kr.owner)}" if kr.owner else ""
    return f"""<article class="kr" id="kr-{_e(kr.kr_id)}" data-kr-id="{_e(kr.kr_id)}"
    data-status="{_e(kr.status)}" style="--c:{colour}">
  <div class="kr-head">
    <h3>{_e(kr.title)}</h3>
    <span class="badge">{_e(STATUS_LABELS.get(kr.status, kr.status))}</span>
  </div>
  <p class="sentence">{_e(summary_sentence(kr))}</p>
  <div class="bar" role="img"
    aria-label="progress {_percent(progress)}, expected {_percent(expected)}">
    <span class="fill" style="width:{_bar_width(progress):.1f}%"></span>{marker}
  </div>
  <p class="bar-legend">progress {_percent(progress)} · expected by now {_percent(expected)}</p>
  <p class="forecast">{forecast}</p>
  {_trend_chart(kr, colour)}
  <p class="muted small">{_e(kr.kr_id)} · {_e(kr.metric)}{owner}</p>
</article>"""


def _expected_value(kr: KeyResult, row: dict) -> float | None:
    if row.get("expected_value") is not None:
        return float(row["expected_value"])
    baseline = row.get("baseline")
    expected = row.get("expected_progress")
    if baseline is None or expected is None:
        return None
    return float(baseline) + float(expected) * (float(row["target"]) - float(baseline))


def _trend_chart(kr: KeyResult, colour: str) -> str:
    measured = [row for row in kr.days if row["value"] is not None]
    if not measured:
        return '<div class="nochart">No data yet for this key result.</div>'
    dates = [row["date"].isoformat() for row in kr.days]
    pace_x, pace_y = [], []
    baseline = kr.days[0].get("baseline")
    if baseline is not None and kr.metric != "min_monthly_new_backlinks":
        # The pace line starts from the baseline on the day before the period (docs/config.md).
        pace_x.append((kr.start_date - timedelta(days=1)).isoformat())
        pace_y.append(float(baseline))
    for row, day in zip(kr.days, dates, strict=True):
        expected = _expected_value(kr, row)
        if expected is not None:
            pace_x.append(day)
            pace_y.append(expected)
    # The pace line runs on to the end of the period (through the remaining milestones), so the
    # reader sees where the value must go, not just where it should have been.
    last_day = kr.days[-1]["date"]
    if pace_x and kr.metric != "min_monthly_new_backlinks":
        for when, value in [*kr.milestones, (kr.end_date, kr.target)]:
            if when > last_day:
                pace_x.append(when.isoformat())
                pace_y.append(value)

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pace_x,
            y=pace_y,
            name="target pace",
            mode="lines",
            line={"color": "#8c959f", "dash": "dash", "width": 1.5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[row["date"].isoformat() for row in measured],
            y=[row["value"] for row in measured],
            name="value",
            mode="lines",
            line={"color": colour, "width": 2.5},
        )
    )
    latest = kr.latest or {}
    if latest.get("projected_value") is not None and latest["value"] is not None:
        fig.add_trace(
            go.Scatter(
                x=[latest["date"].isoformat(), kr.end_date.isoformat()],
                y=[latest["value"], latest["projected_value"]],
                name="forecast",
                mode="lines+markers",
                line={"color": colour, "dash": "dot", "width": 1.5},
                marker={"size": 5},
            )
        )
    yaxis: dict[str, Any] = {"gridcolor": "#eaeef2", "zeroline": False}
    if kr.direction == "down":
        # Lower is better (a rank position): flip the axis so "up" still means "better".
        yaxis["autorange"] = "reversed"
    if kr.unit == "percent":
        yaxis["ticksuffix"] = "%"
    fig.update_layout(
        template="none",
        height=210,
        margin={"l": 48, "r": 12, "t": 8, "b": 28},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.12, "font": {"size": 11}},
        xaxis={
            "range": [(kr.start_date - timedelta(days=1)).isoformat(), kr.end_date.isoformat()],
            "gridcolor": "#eaeef2",
            "type": "date",
        },
        yaxis=yaxis,
        font={"family": "system-ui, sans-serif", "size": 11, "color": "#24292f"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="x unified",
    )
    return _figure_html(fig, f"trend-{kr.kr_id}")


def _figure_html(fig: go.Figure, div_id: str) -> str:
    # A stable div id keeps the page byte-identical when nothing changed.
    safe_id = "".join(c if c.isalnum() or c in "-_" else "-" for c in div_id)
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        config=PLOTLY_CONFIG,
        div_id=safe_id,
        default_width="100%",
    )


def _tier_key(tier: str | None) -> tuple[int, str]:
    tier = tier or ""
    return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), tier)


def _attribution_section(rows: list[dict]) -> str:
    if not rows:
        return """<section id="attribution" class="panel attribution" data-attribution="empty">
  <h2>What links did, by quality tier</h2>
  <p class="nodata">No attribution data yet: <code>marts.fct_attribution_by_tier</code> is
  missing or empty. It fills in once links have been live for a full attribution window.</p>
</section>"""
    sites: dict[str, list[dict]] = {}
    for row in rows:
        sites.setdefault(row["site"], []).append(row)
    parts = [_attribution_site(site, site_rows) for site, site_rows in sites.items()]
    return f"""<section id="attribution" class="panel attribution" data-attribution="chart">
  <h2>What links did, by quality tier</h2>
  <p class="sub">Median change after each link was acquired, per attribution window (days).
  Position change: positive = the page moved up. Sessions lift is net of the site's pages
  without new links.</p>
  {"".join(parts)}
</section>"""


def _attribution_site(site: str, rows: list[dict]) -> str:
    tiers = sorted({row["quality_tier"] for row in rows}, key=_tier_key)
    windows = sorted({row["window_days"] for row in rows})
    panels = (
        ("median_position_change", "Median position change", 1.0),
        ("share_improved", "Share of links whose page improved", 100.0),
        ("median_adjusted_sessions_lift_pct", "Median adjusted sessions lift (%)", 1.0),
    )
    fig = make_subplots(rows=1, cols=3, subplot_titles=[title for _, title, _ in panels])
    palette = ("#0969da", "#8250df", "#bf3989", "#1a7f37", "#9a6700")
    by_key = {(row["quality_tier"], row["window_days"]): row for row in rows}
    for n, window in enumerate(windows):
        colour = palette[n % len(palette)]
        for col, (column, _, scale) in enumerate(panels, start=1):
            values, links = [], []
            for tier in tiers:
                row = by_key.get((tier, window)) or {}
                value = row.get(column)
                values.append(None if value is None else float(value) * scale)
                links.append(f"{row.get('links') or 0} links, {row.get('complete_links') or 0}")
            fig.add_trace(
                go.Bar(
                    x=list(tiers),
                    y=values,
                    name=f"{window}-day window",
                    legendgroup=str(window),
                    showlegend=col == 1,
                    marker_color=colour,
                    customdata=links,
                    hovertemplate="%{x}: %{y:.2f}<br>%{customdata} complete<extra>"
                    + f"{window} days</extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        template="none",
        barmode="group",
        height=320,
        margin={"l": 48, "r": 12, "t": 48, "b": 40},
        legend={"orientation": "h", "x": 0, "y": -0.15},
        font={"family": "system-ui, sans-serif", "size": 11, "color": "#24292f"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_yaxes(gridcolor="#eaeef2", zerolinecolor="#8c959f")
    fig.update_yaxes(ticksuffix="%", row=1, col=2)
    fig.update_yaxes(ticksuffix="%", row=1, col=3)
    header = "".join(f"<th>{_e(window)} days</th>" for window in windows)
    body = "".join(
        f"<tr><th>{_e(tier)}</th>"
        + "".join(_links_cell(by_key.get((tier, window))) for window in windows)
        + "</tr>"
        for tier in tiers
    )
    return f"""<div class="attribution-site" data-site="{_e(site)}">
  <h3>{_e(site)}</h3>
  {_figure_html(fig, f"attribution-{site}")}
  <p class="sub small">Links (of which with a complete window) · median days to a rank
  improvement</p>
  <table class="links">
    <tr><th>tier</th>{header}</tr>
    {body}
  </table>
</div>"""


def _links_cell(row: dict | None) -> str:
    if not row:
        return "<td>—</td>"
    days = row.get("median_days_to_rank_improvement")
    days_text = "—" if days is None else f"{float(days):.0f} d"
    links = f"{_e(row.get('links') or 0)} ({_e(row.get('complete_links') or 0)})"
    return f"<td>{links} · {days_text}</td>"


CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: #f6f8fa; color: #24292f;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header h1 { margin: 0 0 4px; font-size: 24px; }
h2 { font-size: 18px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 0; }
.sub, .muted { color: #57606a; }
.small { font-size: 12px; margin: 4px 0 0; }
.chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 20px; }
.chip { border: 1px solid var(--c); color: var(--c); background: #fff; border-radius: 999px;
  padding: 2px 10px; font-weight: 600; }
.panel, .objective { background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 16px 20px; margin: 0 0 20px; }
.exceptions { border-left: 6px solid #cf222e; }
.exceptions ul { margin: 8px 0 0; padding: 0; list-style: none; }
.exceptions li { padding: 6px 0; border-top: 1px solid #eaeef2; }
.exceptions li:first-child { border-top: 0; }
.exceptions a { color: #24292f; font-weight: 600; }
.ok { color: #116329; margin: 8px 0 0; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  background: var(--c); margin-right: 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
  gap: 16px; margin-top: 12px; }
.kr { border: 1px solid #d0d7de; border-top: 4px solid var(--c); border-radius: 6px;
  padding: 12px 14px; min-width: 0; }
.kr-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 12px; }
.badge { background: var(--c); color: #fff; border-radius: 4px; padding: 1px 8px;
  font-size: 12px; font-weight: 600; white-space: nowrap; }
.sentence { margin: 6px 0 8px; font-size: 15px; }
.bar { position: relative; height: 14px; background: #eaeef2; border-radius: 7px;
  overflow: visible; }
.fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--c);
  border-radius: 7px; }
.expected { position: absolute; top: -4px; bottom: -4px; width: 3px; margin-left: -1px;
  background: #24292f; border-radius: 1px; }
.bar-legend, .forecast { margin: 4px 0 0; font-size: 12.5px; color: #57606a; }
.nochart { height: 80px; display: flex; align-items: center; justify-content: center;
  color: #57606a; background: #f6f8fa; border-radius: 6px; margin-top: 8px; }
.nodata { color: #57606a; background: #f6f8fa; border-radius: 6px; padding: 16px; }
.empty { border-left: 6px solid #8c959f; }
.empty pre { background: #f6f8fa; border-radius: 6px; padding: 12px 16px; overflow-x: auto;
  font-size: 12.5px; }
.attribution-site h3 { margin-top: 12px; }
table.links { border-collapse: collapse; margin-top: 8px; font-size: 12.5px; }
table.links th, table.links td { border: 1px solid #d0d7de; padding: 3px 10px;
  text-align: left; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>{css}</style>
<script>{plotlyjs}</script>
</head>
<body>
{body}
</body>
</html>
"""
