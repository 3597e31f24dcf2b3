"""What every export writer shares: per-link facts stable across snapshots and vendors, CSV
text, dates, and zips byte-identical on every run."""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

from demo.story import SITE, SITE_HOST, Link, World


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _flag(value: bool) -> str:
    return "+" if value else ""


def _target_url(site: str, path: str) -> str:
    host = SITE_HOST if site == SITE else "www." + site
    return f"https://{host}{path}"


class LinkFacts:
    """Per-link values no key result depends on, stable across snapshots and vendors."""

    def __init__(self, world: World, seed: int) -> None:
        self._facts: dict[int, dict] = {}
        for i, link in enumerate(world.links):
            rng = random.Random(f"{seed}:facts:{i}")
            dr = link.domain.dr
            self._facts[id(link)] = dict(
                ur=max(0, min(100, round(dr * rng.uniform(0.15, 0.6)))),
                refdomains=int(math.exp(dr / 12 + rng.uniform(0, 2))),
                linked=rng.randint(3, 40) if not link.sitewide else rng.randint(20, 150),
                page_traffic=int(link.domain.traffic * rng.uniform(0, 0.05)),
                keywords=rng.randint(0, 120),
                platform=rng.choice(("blogs", "blogs", "cms", "ecommerce", "")),
                ascore=max(0, min(100, round(dr * rng.uniform(0.4, 0.7)))),
                internal=rng.randint(15, 180),
                last_seen_lag=rng.randint(0, 6),
                seconds=rng.randint(0, 86399),
                crawl_lag=rng.randint(1, 45),
                cf_ratio=rng.uniform(1.0, 1.6),
                pa=max(1, min(100, round(dr * rng.uniform(0.5, 0.9)))),
                moz_da=max(1, min(100, dr + rng.randint(-6, 4))),
                semrush_source=rng.random(),
                semrush_target=rng.random(),
                moz_scheme=rng.random(),
                drop=rng.choice(
                    ("Link removed from page", "Page not found (404)", "Page redirected")
                ),
                # Drawn last: a new fact must not shift the values drawn before it.
                trust=max(0, min(100, round(dr * rng.uniform(0.2, 0.55)))),
            )

    def __getitem__(self, link: Link) -> dict:
        return self._facts[id(link)]


def _stamp(day: date, seconds: int) -> str:
    return f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _last_seen(link: Link, snapshot: date, lag: int) -> date:
    seen = (
        (link.lost - timedelta(days=1 + lag % 3))
        if link.lost and link.lost <= snapshot
        else snapshot - timedelta(days=lag)
    )
    return max(seen, link.first_seen)


def _csv_text(
    rows: list[tuple], delimiter: str = ",", terminator: str = "\r\n", quote_all: bool = False
) -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=terminator,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return out.getvalue()


def write_zip(path: Path, member: str, data: bytes, day: date) -> None:
    """A zip holding one file, byte-identical on every run: the member's time is fixed (noon
    of `day`) and so are its permissions and compression."""
    info = zipfile.ZipInfo(member, date_time=(day.year, day.month, day.day, 12, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    path.write_bytes(buffer.getvalue())
