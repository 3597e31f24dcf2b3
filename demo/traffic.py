"""Keyword positions, rank-tracker rows and GA4 landing-page rows derived from the demo's links.

Each link lowers its page's keyword positions once a tier-dependent lag has passed, ramping in
over `BOOST_RAMP_DAYS`; the site's authority lifts every page a little. Organic sessions follow
each page's keyword positions through a click-through curve, times search volume, weekday
seasonality and noise; the other channels are flat noise around a level per page kind.
Transactions are a fraction of sessions on the pages that sell something.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo.story import (
    BOOST_RAMP_DAYS,
    BOOST_RESPONSE,
    CONVERSION_RATE,
    DR_BOOST_PER_POINT,
    KEY_EVENT_RATE,
    LINK_BOOST,
    LONG_TAIL,
    NEWSLETTER_SESSIONS,
    NEWSLETTER_WEEKDAY,
    ORDER_VALUE,
    ORGANIC_CONVERSION_DRIFT_IN_PERIOD,
    ORGANIC_NOISE,
    ORGANIC_RANK_SHARE,
    OTHER_CHANNELS,
    POSITION_NOISE,
    SITE,
    SITE_HOST,
    WEEKDAY_FACTOR,
    World,
    ctr,
)

CHANNELS = ("Organic Search", "Direct", "Paid Search", "Referral", "Email")
NEWSLETTER_QUERY = "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly"
BARE_HOST = SITE_HOST.removeprefix("www.")


@dataclass(frozen=True)
class RankRow:
    keyword: str
    tags: str
    day: date
    position: int | None
    url: str
    volume: int


@dataclass(frozen=True)
class TrafficRow:
    day: date
    host: str
    landing_page: str  # path plus query string, as GA4's landingPagePlusQueryString
    channel: str
    sessions: int
    engaged: int
    key_events: int
    transactions: int
    revenue: float


def positions(world: World, rng: random.Random) -> dict[str, list[float | None]]:
    """Continuous daily position per keyword (None = beyond 100), anchored the day before the
    period: links won later improve it, links won earlier explain why it was worse before."""
    days = world.days
    n = len(days)
    anchor = max(0, min(n - 1, world.day_index(world.period_start - timedelta(days=1))))
    boost: dict[str, list[float]] = {}
    dr0 = world.dr_daily[anchor]
    site_boost = [DR_BOOST_PER_POINT * (dr - dr0) for dr in world.dr_daily]
    for path, _ in world.pages:
        boost[path] = list(site_boost)
    for link in world.links:
        if link.target_site != SITE or not link.in_ahrefs or link.first_seen < world.start:
            continue
        weight = LINK_BOOST[link.tier]
        if not weight:
            continue
        series = boost[link.target_path]
        won = world.day_index(link.first_seen) + link.lag
        gone = world.day_index(link.lost) + link.lag if link.lost else None
        for i in range(max(0, won), n):
            ramp = min(1.0, (i - won) / BOOST_RAMP_DAYS)
            if gone is not None and i > gone:
                ramp -= min(1.0, (i - gone) / BOOST_RAMP_DAYS)
            series[i] += weight * ramp
    out: dict[str, list[float | None]] = {}
    for kw in world.keywords:
        series = boost[kw.path]
        level = series[anchor]
        response = max(BOOST_RESPONSE.get(tag, 1.0) for tag in kw.tags)
        values: list[float | None] = []
        for i in range(n):
            pos = kw.base_position * math.exp(-response * (series[i] - level))
            pos *= math.exp(rng.gauss(0, POSITION_NOISE))
            values.append(None if pos > 100.5 else max(1.0, pos))
        out[kw.keyword] = values
    return out


def rank_rows(world: World) -> list[RankRow]:
    """One row per keyword per day; `position` None when the keyword is not in the top 100."""
    rows = []
    for kw in world.keywords:
        series = world.positions[kw.keyword]
        url = f"https://{SITE_HOST}{kw.path}"
        for i, day in enumerate(world.days):
            pos = series[i]
            ranked = pos is not None and round(pos) <= 100
            rows.append(
                RankRow(
                    kw.keyword,
                    ";".join(kw.tags),
                    day,
                    round(pos) if ranked else None,
                    url if ranked else "",
                    kw.volume,
                )
            )
    return rows


def traffic_rows(world: World, seed: int) -> list[TrafficRow]:
    """GA4 rows, one per date, host, landing page (with query string) and channel."""
    rng = random.Random(f"{seed}:traffic")
    by_page: dict[str, list] = {path: [] for path, _ in world.pages}
    for kw in world.keywords:
        by_page[kw.path].append(kw)
    page_cr = {
        path: rng.uniform(*CONVERSION_RATE[kind])
        for path, kind in world.pages
        if kind in CONVERSION_RATE
    }
    out = _Rows(rng, {path: rng.uniform(*ORDER_VALUE) for path in page_cr})
    span = (world.period_end - world.period_start).days + 1
    anchor = max(0, world.day_index(world.period_start) - 1)
    for i, day in enumerate(world.days):
        weekday = WEEKDAY_FACTOR[day.weekday()]
        into_period = max(0, (day - world.period_start).days + 1)
        drift = 1 + ORGANIC_CONVERSION_DRIFT_IN_PERIOD * min(1.0, into_period / span)
        for path, kind in world.pages:
            clicks = _clicks(world, by_page[path], i)
            steady = _clicks(world, by_page[path], anchor)
            organic = (ORGANIC_RANK_SHARE * clicks + (1 - ORGANIC_RANK_SHARE) * steady) * (
                1 + LONG_TAIL[kind]
            ) + (4.0 if kind == "misc" else 0.0)
            organic *= weekday * math.exp(rng.gauss(0, ORGANIC_NOISE))
            means = {"Organic Search": organic}
            for channel, level in zip(CHANNELS[1:], OTHER_CHANNELS[kind], strict=True):
                means[channel] = level * weekday * math.exp(rng.gauss(0, 0.2))
            for channel in CHANNELS:
                sessions = _count(rng, means[channel])
                if not sessions:
                    continue
                cr = page_cr.get(path, 0.0) * (drift if channel == "Organic Search" else 1.0)
                bare = _host_split(rng, sessions) if channel == "Organic Search" else 0
                for host, n in ((SITE_HOST, sessions - bare), (BARE_HOST, bare)):
                    if n:
                        out.add(day, host, path, channel, n, cr)
            if day.weekday() == NEWSLETTER_WEEKDAY and kind in ("home", "guide"):
                featured = kind == "home" or (i // 7 + hash_path(path)) % 8 == 0
                n = _count(rng, NEWSLETTER_SESSIONS * (1.0 if kind == "home" else 0.5))
                if featured and n:
                    cr = page_cr.get(path, 0.0)
                    out.add(day, SITE_HOST, path + NEWSLETTER_QUERY, "Email", n, cr)
    return out.rows


class _Rows:
    """Collects rows; transactions carry their fractional remainder from day to day per
    landing page and channel, so totals follow sessions x conversion rate without the noise of
    rounding every row on its own."""

    def __init__(self, rng: random.Random, order_value: dict[str, float]) -> None:
        self.rng = rng
        self.order_value = order_value
        self.carry: dict[tuple[str, str, str], float] = {}
        self.rows: list[TrafficRow] = []

    def add(
        self, day: date, host: str, landing: str, channel: str, sessions: int, cr: float
    ) -> None:
        rng = self.rng
        engaged = min(sessions, _count(rng, sessions * rng.uniform(0.52, 0.7)))
        key = (host, landing, channel)
        expected = self.carry.get(key, 0.0) + sessions * cr
        transactions = int(expected)
        self.carry[key] = expected - transactions
        revenue = 0.0
        for _ in range(transactions):
            revenue += self.order_value[landing.split("?")[0]] * math.exp(rng.gauss(0, 0.35))
        key_events = transactions + _count(rng, sessions * KEY_EVENT_RATE)
        self.rows.append(
            TrafficRow(
                day,
                host,
                landing,
                channel,
                sessions,
                engaged,
                key_events,
                transactions,
                round(revenue, 2),
            )
        )


def _clicks(world: World, keywords: list, day_index: int) -> float:
    return sum(kw.volume / 30.4 * ctr(world.positions[kw.keyword][day_index]) for kw in keywords)


def hash_path(path: str) -> int:
    """A stable small number per path (Python's `hash` of a str changes between processes)."""
    return sum(ord(ch) for ch in path)


def _count(rng: random.Random, mean: float) -> int:
    return int(math.floor(mean + rng.random()))


def _host_split(rng: random.Random, sessions: int) -> int:
    # A few visitors land on the bare domain before the redirect to www is recorded.
    return int(sessions * rng.uniform(0.01, 0.04)) if sessions >= 20 else 0
