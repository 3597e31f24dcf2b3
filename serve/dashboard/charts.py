"""The dashboard's Plotly figures, each rendered to an HTML fragment (a div and the script that
draws it; plotly.js itself is inlined once by the page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from serve.dashboard.data import KeyResult

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}
TIER_ORDER = ("tier_1", "tier_2", "tier_3", "tier_4", "toxic")
FONT = {"family": "system-ui, sans-serif", "size": 11, "color": "#24292f"}
TRANSPARENT = "rgba(0,0,0,0)"
GRID = "#eaeef2"
ATTRIBUTION_PANELS = (
    ("median_position_change", "Median position change", 1.0),
    ("share_improved", "Share of links whose page improved", 100.0),
    ("median_adjusted_sessions_lift_pct", "Median adjusted sessions lift (%)", 1.0),
)
WINDOW_PALETTE = ("#0969da", "#8250df", "#bf3989", "#1a7f37", "#9a6700")


def figure_html(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML fragment; markup, to be inserted into the page unescaped."""
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


def expected_value(row: dict) -> float | None:
    """Where the value should be on the row's day: the mart's `expected_value`, else the
    baseline moved by the expected progress towards the target."""
    if row.get("expected_value") is not None:
        return float(row["expected_value"])
    baseline = row.get("baseline")
    expected = row.get("expected_progress")
    if baseline is None or expected is None:
        return None
    return float(baseline) + float(expected) * (float(row["target"]) - float(baseline))


def _pace_line(kr: KeyResult) -> tuple[list[str], list[float]]:
    dates = [row["date"].isoformat() for row in kr.days]
    pace_x, pace_y = [], []
    baseline = kr.days[0].get("baseline")
    if baseline is not None and kr.metric != "min_monthly_new_backlinks":
        # The pace line starts from the baseline on the day before the period (docs/config.md).
        pace_x.append((kr.start_date - timedelta(days=1)).isoformat())
        pace_y.append(float(baseline))
    for row, day in zip(kr.days, dates, strict=True):
        expected = expected_value(row)
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
    return pace_x, pace_y


def trend_chart(kr: KeyResult, colour: str) -> str | None:
    """The key result's daily value against its target pace, and the forecast to the end of the
    period, as an HTML fragment; None when it has no value yet."""
    measured = [row for row in kr.days if row["value"] is not None]
    if not measured:
        return None
    pace_x, pace_y = _pace_line(kr)
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
    yaxis: dict[str, Any] = {"gridcolor": GRID, "zeroline": False}
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
            "gridcolor": GRID,
            "type": "date",
        },
        yaxis=yaxis,
        font=FONT,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        hovermode="x unified",
    )
    return figure_html(fig, f"trend-{kr.kr_id}")


def tier_name(tier: str | None) -> str:
    """ "tier_1" as a reader says it: "tier 1"."""
    return (tier or "no tier").replace("_", " ")


def tier_key(tier: str | None) -> tuple[int, str]:
    """Quality tiers best first, unknown tiers last (alphabetically)."""
    tier = tier or ""
    return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), tier)


def attribution_chart(
    site: str,
    tiers: list[str],
    windows: list[int],
    by_key: dict[tuple[str, int], dict],
) -> str:
    """One site's attribution: a bar per tier and attribution window in each of three panels
    (position change, share improved, sessions lift), as an HTML fragment."""
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=[title for _, title, _ in ATTRIBUTION_PANELS]
    )
    for n, window in enumerate(windows):
        colour = WINDOW_PALETTE[n % len(WINDOW_PALETTE)]
        for col, (column, _, scale) in enumerate(ATTRIBUTION_PANELS, start=1):
            values, links = [], []
            for tier in tiers:
                row = by_key.get((tier, window)) or {}
                value = row.get(column)
                values.append(None if value is None else float(value) * scale)
                links.append(f"{row.get('links') or 0} links, {row.get('complete_links') or 0}")
            fig.add_trace(
                go.Bar(
                    x=[tier_name(tier) for tier in tiers],
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
        font=FONT,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    fig.update_yaxes(gridcolor=GRID, zerolinecolor="#8c959f")
    fig.update_yaxes(ticksuffix="%", row=1, col=2)
    fig.update_yaxes(ticksuffix="%", row=1, col=3)
    return figure_html(fig, f"attribution-{site}")
