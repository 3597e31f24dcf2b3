"""The Search Console emulator's data, derived from the demo world's keyword positions.

Every tracked keyword that ranks in the top 100 on a day gets a row for its target page:
impressions are the day's searches (monthly volume / 30.4, weekday seasonality, noise) times
the share of searchers who see the result at that position (all of them on page one, few
beyond), clicks are impressions times the world's click-through curve, and the position is
the world's continuous position. The organic sessions the demo's GA4 data holds follow the
same curve, so Search Console clicks and GA4 sessions move together.

Real properties also show queries no rank tracker follows; each tracked keyword brings a few
long-tail variants that rank somewhat worse than it and move with it, in proportion to how
much untracked search traffic the page's kind gets (`LONG_TAIL`).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from demo.emulators.gsc import site_file_name
from demo.story import LONG_TAIL, SITE, SITE_HOST, WEEKDAY_FACTOR, World, ctr

GSC_SITE_URL = f"sc-domain:{SITE}"
HEADER = ("date", "query", "page", "clicks", "impressions", "ctr", "position")
DAYS_PER_MONTH = 30.4
DEMAND_NOISE = 0.12  # daily log-normal noise on searches
# Long-tail variants of a tracked keyword by its tag; a few are chosen per keyword.
MODIFIERS = {
    "brand": ("{} reviews", "{} returns", "{} free shipping", "{} discount code", "{} store"),
    "guide": ("{} pdf", "{} guide", "{} tips", "{} reddit", "{} video", "easy {}"),
    "product": (
        "best {}",
        "{} review",
        "cheap {}",
        "{} sale",
        "lightweight {}",
        "{} reddit",
        "{} near me",
    ),
}
VARIANTS_PER_KEYWORD = 3
VARIANT_POSITION_FACTOR = (1.15, 2.4)  # a variant ranks this many times worse than its keyword


def visibility(position: float) -> float:
    """Share of a query's searches in which a result at `position` is shown (an impression):
    every searcher loads page one; a small, falling share pages further."""
    if position < 10.5:
        return 1.0
    if position < 20.5:
        return 0.07
    if position < 30.5:
        return 0.025
    return 0.012 * 30.5 / position


def write_gsc_emulator_data(world: World, data_dir: Path, *, seed: int = 42) -> list[Path]:
    """Write `data_dir/gsc/<site file>.csv` for `sc-domain:<site>` from `world`; returns the
    paths written. `data_dir` is the emulators' data root (`<home>/data/emulator`)."""
    rng = random.Random(f"{seed}:gsc")
    kinds = dict(world.pages)
    series: list[tuple[str, str, int, list[float | None]]] = []
    seen = {kw.keyword for kw in world.keywords}
    for kw in world.keywords:
        page = f"https://{SITE_HOST}{kw.path}"
        series.append((kw.keyword, page, kw.volume, world.positions[kw.keyword]))
        tail = LONG_TAIL.get(kinds.get(kw.path, ""), 0.0)
        if not tail:
            continue
        templates = MODIFIERS.get(kw.tags[0], MODIFIERS["product"])
        for template in rng.sample(templates, VARIANTS_PER_KEYWORD):
            query = template.format(kw.keyword)
            if query in seen:
                # "best {}" of "hiking backpack" is itself a tracked keyword.
                continue
            seen.add(query)
            factor = rng.uniform(*VARIANT_POSITION_FACTOR)
            volume = max(10, round(kw.volume * tail / VARIANTS_PER_KEYWORD * rng.uniform(0.1, 0.4)))
            positions = [None if p is None else p * factor for p in world.positions[kw.keyword]]
            series.append((query, page, volume, positions))

    rows: list[tuple[str, str, str, int, int, float, float]] = []
    for i, day in enumerate(world.days):
        weekday = WEEKDAY_FACTOR[day.weekday()]
        for query, page, volume, positions in series:
            position = positions[i]
            # Draw the noise for every query and day, ranked or not, so one keyword dropping
            # out of the top 100 does not reshuffle every other keyword's numbers.
            demand = volume / DAYS_PER_MONTH * weekday * math.exp(rng.gauss(0, DEMAND_NOISE))
            draw_impressions, draw_clicks = rng.random(), rng.random()
            if position is None or position >= 100.5:
                continue
            impressions = math.floor(demand * visibility(position) + draw_impressions)
            if impressions == 0:
                # Search Console has no row for a query and page without an impression.
                continue
            clicks = min(impressions, math.floor(impressions * ctr(position) + draw_clicks))
            rows.append(
                (
                    day.isoformat(),
                    query,
                    page,
                    clicks,
                    impressions,
                    round(clicks / impressions, 6),
                    round(position, 2),
                )
            )

    folder = Path(data_dir) / "gsc"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / site_file_name(GSC_SITE_URL)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return [path]
