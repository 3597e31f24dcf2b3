"""The generic long rank-tracker CSV, the weekly domain-metrics CSV and Ahrefs' domain-rating
history."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from demo.rank_files import keyword_tags
from demo.story import COMPETITOR_PROFILE, SITE, World
from demo.traffic import rank_rows
from demo.vendors.common import _csv_text

RANKINGS_HEADER = ("Keyword", "Tags", "Date", "Position", "URL", "Search Volume")
DOMAIN_METRICS_HEADER = ("date", "domain", "metric", "value")


def write_rankings(world: World, seed: int, path: Path) -> None:
    """Long format, one row per keyword and day; not ranking is written three ways."""
    rng = random.Random(f"{seed}:rankings")
    not_ranking = {kw.keyword: rng.choice(("", "-", ">100")) for kw in world.keywords}
    tags_of = keyword_tags(world)
    rows = []
    for r in rank_rows(world):
        tags = ";".join(tags_of[r.keyword])
        position = str(r.position) if r.position is not None else not_ranking[r.keyword]
        rows.append((r.keyword, tags, r.day.isoformat(), position, r.url, r.volume))
    rows.sort(key=lambda r: (r[2], r[0]))
    path.write_bytes(_csv_text([RANKINGS_HEADER, *rows], terminator="\n").encode("utf-8"))


def _domain_metric_rows(world: World, seed: int) -> list[tuple]:
    """Weekly authority for the site and its competitors, the last week ending on end_date."""
    rng = random.Random(f"{seed}:domain-metrics")
    rows = []
    day = world.end
    weeks = []
    while day >= world.start:
        weeks.append(day)
        day -= timedelta(days=7)
    for day in reversed(weeks):
        dr = world.dr_daily[world.day_index(day)]
        rows.append((day.isoformat(), SITE, "ahrefs_dr", round(dr)))
        rows.append((day.isoformat(), SITE, "moz_da", round(dr - 5 + rng.uniform(-0.6, 0.6))))
        for site, profile in COMPETITOR_PROFILE.items():
            drift = world.day_index(day) / 120
            rows.append(
                (
                    day.isoformat(),
                    site,
                    "ahrefs_dr",
                    round(profile["dr"] + drift + rng.uniform(-0.6, 0.6)),
                )
            )
            rows.append(
                (
                    day.isoformat(),
                    site,
                    "moz_da",
                    round(profile["da"] + drift / 2 + rng.uniform(-0.6, 0.6)),
                )
            )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def write_domain_metrics(world: World, seed: int, path: Path) -> None:
    rows = _domain_metric_rows(world, seed)
    path.write_bytes(_csv_text([DOMAIN_METRICS_HEADER, *rows], terminator="\n").encode("utf-8"))


def daily_domain_rating(world: World, seed: int) -> dict[str, list[tuple[date, int]]]:
    """Ahrefs DR per domain and history day, agreeing with the weekly domain-metrics file: the
    site's follows its daily story curve; a competitor's holds each weekly value until the next
    (DR moves in steps when Ahrefs recrawls)."""
    weekly: dict[str, dict[date, int]] = {}
    for day, domain, metric, value in _domain_metric_rows(world, seed):
        if metric == "ahrefs_dr":
            weekly.setdefault(domain, {})[date.fromisoformat(day)] = value
    out: dict[str, list[tuple[date, int]]] = {}
    for domain, values in weekly.items():
        current = values[min(values)]
        series = []
        for i, day in enumerate(world.days):
            current = round(world.dr_daily[i]) if domain == SITE else values.get(day, current)
            series.append((day, current))
        out[domain] = series
    return out


def write_dr_history(world: World, seed: int, path: Path) -> None:
    """Ahrefs' "Domain rating" history export of the site, in its default "Excel" encoding
    (UTF-16 LE with BOM, TAB). The file has no domain column: the site is in the file name."""
    rows = [(day.isoformat(), dr) for day, dr in daily_domain_rating(world, seed)[SITE]]
    text = _csv_text([("Date", "Domain Rating"), *rows], delimiter="\t", quote_all=True)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
