"""Build the demo `World`: referring domains, the links they give the site and its competitors,
links won and lost over the history, and the site's authority.

Events that drive key results (links won, domains lost) are placed by systematic sampling of a
daily rate, not drawn independently, so the counts in any window track the story's rates
closely and the statuses the demo shows do not hang on a lucky seed.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from demo.catalog import PAGES
from demo.link_maker import LinkMaker, _dedupe
from demo.story import (
    COMPETITOR_PROFILE,
    DISAVOW_DOMAIN,
    DOMAIN_LOSSES_PER_DAY,
    GAP_SHARED_BY_BOTH,
    LINK_LOSSES_PER_DAY,
    NEW_LINK_STREAMS,
    PEAK_TOXIC_DOMAINS,
    REFERRING_DOMAINS_AT_PERIOD_START,
    SEMRUSH_ONLY_LINKS,
    SEMRUSH_SHARE,
    SITE,
    SITE_DR_AT_PERIOD_START,
    SITE_DR_PACE,
    SITE_DR_PERIOD_TARGET,
    SITE_DR_PRE_PERIOD_PER_DAY,
    STOCK_RELEVANT_SHARE,
    STOCK_TOXIC_DOMAINS,
    Domain,
    Export,
    Link,
    World,
)
from demo.traffic import positions


class _Builder(LinkMaker):
    def build(self) -> World:
        world = World(
            start=self.start,
            end=self.end,
            period_start=self.p0,
            period_end=self.p1,
            pages=PAGES,
            keywords=self.keywords,
        )
        stock_weights = {"home": 5, "category": 1, "product": 3, "guide": 3, "misc": 1}
        rng = self._rng("stock")
        stock: list[Domain] = []
        site_links: list[Link] = []
        # A little short of the baseline: `_settle_stock` tops it up exactly once the
        # history's wins and losses are known.
        n_stock = REFERRING_DOMAINS_AT_PERIOD_START - 40
        for _ in range(n_stock):
            domain = self.domains.make(None, rng.random() < STOCK_RELEVANT_SHARE)
            stock.append(domain)
            site_links += self._add_domain_links(
                rng,
                domain,
                SITE,
                self._old_date(rng),
                self._stock_link_count(rng),
                "stock",
                stock_weights,
            )
        toxic = [self.domains.make(None, False, spam=True) for _ in range(STOCK_TOXIC_DOMAINS)]
        disavowed = Domain(
            name=DISAVOW_DOMAIN,
            host="www." + DISAVOW_DOMAIN,
            dr=2,
            relevant=False,
            spam_score=71,
            traffic=40,
            topic="Computers/Internet",
        )
        for domain in [*toxic, disavowed]:
            count = rng.randint(3, 8) if domain is disavowed else rng.randint(1, 3)
            site_links += self._add_domain_links(
                rng, domain, SITE, self._old_date(rng), count, "stock", stock_weights
            )

        competitor_links, gap_pool = self._competitors(stock)
        self.competitor_links = competitor_links
        site_links += self._history(site_links, gap_pool)
        site_links += self._semrush_only()
        site_links += self._settle_stock(site_links)
        self._mark_semrush(site_links)

        world.links = site_links + competitor_links
        world.dr_daily = self._dr_daily()
        world.positions = positions(world, self._rng("positions"))
        world.exports = self._exports()
        return world

    def _exports(self) -> tuple[Export, ...]:
        """The snapshot files a real team's inbox would hold: the site exported from Ahrefs
        monthly and from Semrush every six weeks or so, each competitor about every six weeks,
        saved by different people with different export settings over time."""
        day = timedelta(days=1)
        ahrefs = _every(self.end, self.start, 30)
        # Newest first: the default "Excel" export (so the latest view of the site never hangs
        # on a variant), a zipped one, a UTF-8 one, then defaults; the oldest predates Ahrefs'
        # current format. Counted from the newest so a short history still gets each variant.
        newest_first = ["excel", "zip", "utf8"][: len(ahrefs)]
        newest_first += ["excel"] * (len(ahrefs) - len(newest_first))
        if len(ahrefs) > 1:
            newest_first[-1] = "legacy"
        styles = reversed(newest_first)
        schedule = [Export("ahrefs", s, SITE, d) for s, d in zip(styles, ahrefs, strict=True)]
        schedule += [
            Export("semrush", "legacy", SITE, self.end - 90 * day),
            Export("semrush", "zip", SITE, self.end - 45 * day),
            Export("semrush", "current", SITE, self.end - 4 * day),
            Export("majestic", "camel", "rival-gear.com", self.p0 - 40 * day),
            # Majestic's historic-index export, spaced headers, between the two fresh ones.
            Export("majestic", "spaced", "rival-gear.com", self.p0 + 8 * day),
            Export("majestic", "camel", "rival-gear.com", self.end - 8 * day),
            # Moz retired its classic export: the oldest snapshot is in the old format.
            Export("moz", "legacy", "peak-supply.com", self.p0 - 33 * day),
            Export("moz", "current", "peak-supply.com", self.p0 + 15 * day),
            Export("moz", "current", "peak-supply.com", self.end - 12 * day),
        ]
        return tuple(e for e in schedule if e.day >= self.start)

    def _competitors(self, stock: list[Domain]) -> tuple[list[Link], list[Domain]]:
        rng = self._rng("competitors")
        links: list[Link] = []
        candidates = [d for d in stock if not d.is_spam]
        gap_both = [self.domains.make(None, rng.random() < 0.5) for _ in range(GAP_SHARED_BY_BOTH)]
        gap_pool = list(gap_both)
        weights = {"home": 3, "category": 2, "product": 3, "guide": 2}
        for site, profile in COMPETITOR_PROFILE.items():
            lo, hi = profile["links"]
            shared = rng.sample(candidates, profile["shared"])
            own_gap = [
                self.domains.make(None, rng.random() < 0.5)
                for _ in range(profile["gap"] - GAP_SHARED_BY_BOTH)
            ]
            gap_pool += own_gap
            toxic = (
                [self.domains.make(None, False, spam=True) for _ in range(PEAK_TOXIC_DOMAINS)]
                if site == "peak-supply.com"
                else []
            )
            for domain in [*shared, *gap_both, *own_gap, *toxic]:
                links += self._add_domain_links(
                    rng,
                    domain,
                    site,
                    self._old_date(rng),
                    rng.randint(lo, hi),
                    "competitor",
                    weights,
                )
            # New competitor links during the history, mostly from domains new to everyone:
            # the gap keeps refilling while the site works through it.
            for day in _events(
                self._rate_days(profile["new"], profile["new"], profile["new"]), self.start, rng
            ):
                domain = self.domains.make(None, rng.random() < 0.5)
                gap_pool.append(domain)
                links += self._add_domain_links(rng, domain, site, day, 1, "competitor", weights)
            live = [link for link in links if link.target_site == site]
            for day in _events(
                self._rate_days(profile["lost"], profile["lost"], profile["lost"]), self.start, rng
            ):
                pool = [link for link in live if link.lost is None and link.first_seen < day]
                rng.choice(pool).lost = day
        return _comp_paths(links), gap_pool

    def _rate_days(self, pre: float, month1: float, later: float) -> list[float]:
        out = []
        day = self.start
        while day <= self.end:
            if day < self.p0:
                out.append(pre)
            elif day <= self.month1_end:
                out.append(month1)
            else:
                out.append(later)
            day += timedelta(days=1)
        return out

    def _history(self, site_links: list[Link], gap_pool: list[Domain]) -> list[Link]:
        """New links won and links lost over the history, day by day."""
        new: list[Link] = []
        linked: dict[str, Domain] = {}
        for link in site_links:
            linked.setdefault(link.domain.name, link.domain)
        won_gap: set[str] = set()
        comp_first: dict[str, date] = {}
        for stream, spec in NEW_LINK_STREAMS.items():
            rng = self._rng(f"stream:{stream}")
            for day in _events(
                self._rate_days(spec["pre"], spec["month1"], spec["later"]), self.start, rng
            ):
                if stream == "gap_wins":
                    if not comp_first:
                        comp_first = _first_competitor_link(self.competitor_links)
                    # In the period the team works from the gap list made at its start.
                    cutoff = min(day, self.p0)
                    pool = [
                        d
                        for d in gap_pool
                        if d.name not in won_gap
                        and d.name not in linked
                        and comp_first.get(d.name, day) < cutoff
                    ]
                    if not pool:
                        continue
                    domain = rng.choice(pool)
                    won_gap.add(domain.name)
                elif stream == "toxic":
                    domain = self.domains.make(None, False, spam=True)
                else:
                    relevant = rng.random() < spec["relevant"]
                    domain = self.domains.make(spec["dr"], relevant)
                linked[domain.name] = domain
                path = self._target(rng, spec["targets"])
                campaign = stream in ("strong", "guide_outreach", "category_outreach")
                link = self._link(rng, domain, SITE, path, day, stream, campaign=campaign)
                new.append(link)
                if stream == "gap_wins" and rng.random() < 0.3:
                    extra = self._link(
                        rng,
                        domain,
                        SITE,
                        self._target(rng, spec["targets"]),
                        day + timedelta(days=rng.randint(1, 20)),
                        stream,
                    )
                    if extra.first_seen <= self.end:
                        new.append(extra)
        self._losses(site_links, new)
        return new

    def _losses(self, stock_links: list[Link], new_links: list[Link]) -> None:
        rng = self._rng("losses")
        everything = stock_links + new_links
        by_domain: dict[str, list[Link]] = {}
        for link in everything:
            by_domain.setdefault(link.domain.name, []).append(link)
        names = list(by_domain)
        flat = self._rate_days(DOMAIN_LOSSES_PER_DAY, DOMAIN_LOSSES_PER_DAY, DOMAIN_LOSSES_PER_DAY)
        for day in _events(flat, self.start, rng):
            for _ in range(50):
                name = rng.choice(names)
                links = by_domain[name]
                # A domain won recently is rarely lost; campaign links are watched closely.
                if (
                    all(
                        lk.lost is None and lk.first_seen < day - timedelta(days=90) for lk in links
                    )
                    and not links[0].toxic
                ):
                    for lk in links:
                        lk.lost = day
                    break
        flat = self._rate_days(LINK_LOSSES_PER_DAY, LINK_LOSSES_PER_DAY, LINK_LOSSES_PER_DAY)
        for day in _events(flat, self.start, rng):
            for _ in range(50):
                name = rng.choice(names)
                links = [lk for lk in by_domain[name] if lk.lost is None and lk.live_on(day)]
                if len(links) >= 2 and links[0].first_seen < day - timedelta(days=60):
                    rng.choice(links).lost = day
                    break

    def _settle_stock(self, site_links: list[Link]) -> list[Link]:
        """Add or drop never-lost stock domains so the live count matches the config baseline."""
        rng = self._rng("settle")
        day = self.p0 - timedelta(days=1)
        live = _live_domains(site_links, day)
        gap = REFERRING_DOMAINS_AT_PERIOD_START - len(live)
        extra: list[Link] = []
        stock_weights = {"home": 5, "category": 1, "product": 3, "guide": 3}
        for _ in range(max(gap, 0)):
            domain = self.domains.make(None, rng.random() < STOCK_RELEVANT_SHARE)
            extra += self._add_domain_links(
                rng,
                domain,
                SITE,
                self._old_date(rng),
                self._stock_link_count(rng),
                "stock",
                stock_weights,
            )
        if gap < 0:
            comp = {lk.domain.name for lk in self.competitor_links}
            droppable = []
            by_domain: dict[str, list[Link]] = {}
            for link in site_links:
                by_domain.setdefault(link.domain.name, []).append(link)
            for name, links in by_domain.items():
                if (
                    name not in comp
                    and all(lk.stream == "stock" and lk.lost is None for lk in links)
                    and not links[0].toxic
                ):
                    droppable.append(name)
            drop = set(rng.sample(droppable, -gap))
            site_links[:] = [lk for lk in site_links if lk.domain.name not in drop]
        return extra

    def _semrush_only(self) -> list[Link]:
        rng = self._rng("semrush-only")
        links = []
        for _ in range(SEMRUSH_ONLY_LINKS):
            domain = self.domains.make((1, 20), False)
            link = self._link(
                rng,
                domain,
                SITE,
                self._target(rng, {"home": 2, "product": 1}),
                self._old_date(rng),
                "semrush_only",
            )
            link.in_ahrefs = False
            link.in_semrush = True
            links.append(link)
        return links

    def _mark_semrush(self, site_links: list[Link]) -> None:
        rng = self._rng("semrush")
        for link in site_links:
            if link.in_ahrefs:
                link.in_semrush = rng.random() < SEMRUSH_SHARE
                link.semrush_delay = rng.choice((0, 0, 0, 1, 2, 3, 5, 8))

    def _dr_daily(self) -> list[float]:
        out = []
        span = (self.p1 - self.p0).days + 1
        climb = (SITE_DR_PERIOD_TARGET - SITE_DR_AT_PERIOD_START) * SITE_DR_PACE
        day = self.start
        while day <= self.end:
            offset = (day - self.p0).days + 1
            if offset <= 0:
                out.append(SITE_DR_AT_PERIOD_START + offset * SITE_DR_PRE_PERIOD_PER_DAY)
            else:
                out.append(SITE_DR_AT_PERIOD_START + climb * offset / span)
            day += timedelta(days=1)
        return out


def build_world(end_date: date, days: int, seed: int) -> World:
    """The whole story for a history of `days` days ending on `end_date`."""
    return _Builder(end_date, days, seed).build()


def _events(rates: list[float], start: date, rng: random.Random) -> list[date]:
    """Systematic sampling: an event whenever the cumulative rate crosses the next integer."""
    out = []
    acc = rng.random()
    for i, rate in enumerate(rates):
        before = math.floor(acc)
        acc += rate
        for _ in range(math.floor(acc) - before):
            out.append(start + timedelta(days=i))
    return out


def _every(end: date, start: date, step: int) -> tuple[date, ...]:
    out = []
    day = end
    while day >= start:
        out.append(day)
        day -= timedelta(days=step)
    return tuple(reversed(out))


def _comp_paths(links: list[Link]) -> list[Link]:
    """Competitor links point at the competitor's own catalogue, not at the site's paths."""
    mapping = {"/": "/", "/tents": "/shop/tents", "/backpacks": "/shop/packs"}
    for link in links:
        path = link.target_path
        if path.startswith("/guides/"):
            link.target_path = "/journal/" + path.removeprefix("/guides/")
        else:
            link.target_path = mapping.get(path, "/shop" + path)
    return _dedupe(links)


def _first_competitor_link(links: list[Link]) -> dict[str, date]:
    first: dict[str, date] = {}
    for link in links:
        if link.domain.name not in first or link.first_seen < first[link.domain.name]:
            first[link.domain.name] = link.first_seen
    return first


def _live_domains(links: list[Link], day: date) -> set[str]:
    return {
        lk.domain.name
        for lk in links
        if lk.target_site == SITE and not lk.toxic and lk.live_on(day)
    }
