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

from demo.catalog import (
    GENERIC_ANCHORS,
    KEYWORDS,
    LEFT_CONTEXT,
    PAGES,
    PLACES,
    PLAIN_TITLES,
    PLAIN_WORDS,
    RELEVANT_TITLES,
    RELEVANT_WORDS,
    RIGHT_CONTEXT,
    SPAM_WORDS,
    TLDS,
)
from demo.story import (
    COMPETITOR_PROFILE,
    COMPETITORS,
    DISAVOW_DOMAIN,
    DOMAIN_LOSSES_PER_DAY,
    GAP_SHARED_BY_BOTH,
    HEAD_TERMS_BASELINE,
    LINK_LAG_DAYS,
    LINK_LOSSES_PER_DAY,
    LINKS_PER_DOMAIN,
    NEW_LINK_STREAMS,
    NOFOLLOW_SHARE,
    PEAK_TOXIC_DOMAINS,
    PRODUCT_KEYWORDS_BASELINE,
    REFERRING_DOMAINS_AT_PERIOD_START,
    SEMRUSH_ONLY_LINKS,
    SEMRUSH_SHARE,
    SITE,
    SITE_BRAND,
    SITE_DR_AT_PERIOD_START,
    SITE_DR_PACE,
    SITE_DR_PERIOD_TARGET,
    SITE_DR_PRE_PERIOD_PER_DAY,
    SITE_HOST,
    STOCK_RELEVANT_SHARE,
    STOCK_TOXIC_DOMAINS,
    Domain,
    Export,
    Keyword,
    Link,
    World,
    is_relevant,
    month_end,
    period_for,
)
from demo.traffic import positions


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


class _DomainFactory:
    """Unique, plausible referring domains; relevant ones write about the outdoors."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set(COMPETITORS) | {SITE, DISAVOW_DOMAIN}

    def _name(self, relevant: bool, spam: bool) -> tuple[str, str]:
        rng = self.rng
        while True:
            if spam:
                words = (rng.choice(SPAM_WORDS), rng.choice(SPAM_WORDS))
                tld = rng.choice((".xyz", ".top", ".info", ".biz", ".click"))
            else:
                first = RELEVANT_WORDS if relevant and rng.random() < 0.6 else PLAIN_WORDS
                words = (rng.choice(first), rng.choice(PLAIN_WORDS + RELEVANT_WORDS * relevant))
                tld = rng.choice(TLDS)
            if words[0] == words[1]:
                continue
            sep = "-" if rng.random() < 0.3 else ""
            base = words[0] + sep + words[1]
            if rng.random() < 0.25:
                base += str(rng.randint(2, 99))
            roll = rng.random()
            if not spam and roll < 0.04:
                name = f"{base}.blogspot.com"
                host = name
            elif not spam and roll < 0.07:
                name = f"{base}.wixsite.com"
                host = name
            else:
                name = base + tld
                sub = rng.random()
                host = "www." + name if sub < 0.55 else "blog." + name if sub < 0.65 else name
            if not relevant and is_relevant(name):
                continue
            if name not in self.taken:
                self.taken.add(name)
                return name, host

    def make(self, dr_range: tuple[int, int] | None, relevant: bool, spam: bool = False) -> Domain:
        rng = self.rng
        name, host = self._name(relevant, spam)
        # Without a range, authority is skewed low, as in every real backlink profile.
        dr = int(95 * rng.betavariate(1.25, 3.6)) if dr_range is None else rng.randint(*dr_range)
        if spam:
            dr = rng.randint(0, 6)
        spam_score = rng.randint(60, 95) if spam else max(1, min(40, int(rng.gauss(8, 6))))
        topic = (
            rng.choice(("Recreation/Outdoors", "Recreation/Camping", "Sports/Hiking"))
            if relevant
            else rng.choice(
                (
                    "Shopping/General",
                    "News/Weblogs",
                    "Home/Family",
                    "Business/Retail",
                    "Arts/Online Writing",
                )
            )
        )
        traffic = int(math.exp(rng.uniform(2, 5 + dr / 12)))
        return Domain(name, host, dr, relevant, spam_score, spam, traffic, topic)


class _Builder:
    def __init__(self, end_date: date, days: int, seed: int) -> None:
        self.seed = seed
        self.end = end_date
        self.start = end_date - timedelta(days=days - 1)
        self.p0, self.p1 = period_for(end_date)
        self.month1_end = month_end(self.p0)
        self.domains = _DomainFactory(self._rng("domains"))
        self.pages_by_kind: dict[str, list[str]] = {}
        for path, kind in PAGES:
            self.pages_by_kind.setdefault(kind, []).append(path)
        self.keywords = _keywords()
        self.competitor_links: list[Link] = []

    def _rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    # -- links --------------------------------------------------------------------------------
    def _target(self, rng: random.Random, weights: dict[str, int]) -> str:
        kinds = list(weights)
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        pool = self.pages_by_kind["home"] if kind == "home" else self.pages_by_kind[kind]
        return rng.choice(pool)

    def _link(
        self,
        rng: random.Random,
        domain: Domain,
        site: str,
        path: str,
        first_seen: date,
        stream: str,
        campaign: bool = False,
        sitewide: bool = False,
    ) -> Link:
        topical = domain.relevant and (campaign or rng.random() < 0.8)
        template = rng.choice(RELEVANT_TITLES if topical else PLAIN_TITLES)
        title = template.format(year=first_seen.year, place=rng.choice(PLACES))
        slug = _slug(title)
        if rng.random() < 0.3:
            slug = f"{first_seen.year}/{first_seen.month:02d}/{slug}"
        source_url = f"https://{domain.host}/{slug}"
        if sitewide:
            source_url = (
                f"https://{domain.host}/{rng.choice(('page', 'archive', 'tag'))}/"
                f"{rng.randint(2, 400)}"
            )
        if not campaign and rng.random() < 0.04:
            source_url += f"?p={rng.randint(10, 9999)}"
        anchor = self._anchor(rng, site, path, topical)
        roll = rng.random()
        link_type = "text"
        if not campaign and roll < 0.05:
            link_type, anchor = "image", ""
        elif not campaign and roll < 0.07:
            link_type = "redirect"
        content = campaign or (not sitewide and rng.random() < 0.78)
        nofollow = ugc = sponsored = False
        if not campaign:
            roll = rng.random()
            nofollow = roll < NOFOLLOW_SHARE
            ugc = NOFOLLOW_SHARE <= roll < NOFOLLOW_SHARE + 0.03
            sponsored = NOFOLLOW_SHARE + 0.03 <= roll < NOFOLLOW_SHARE + 0.05
        link = Link(
            domain=domain,
            target_site=site,
            target_path=path,
            source_url=source_url,
            title=title,
            anchor=anchor,
            left=rng.choice(LEFT_CONTEXT),
            right=rng.choice(RIGHT_CONTEXT),
            link_type=link_type,
            content=content,
            nofollow=nofollow,
            ugc=ugc,
            sponsored=sponsored,
            first_seen=first_seen,
            seen_seconds=rng.randint(0, 86399),
            stream=stream,
            sitewide=sitewide,
        )
        lo, hi = LINK_LAG_DAYS[link.tier]
        link.lag = rng.randint(lo, hi)
        return link

    def _anchor(self, rng: random.Random, site: str, path: str, topical: bool) -> str:
        if site != SITE:
            brand = {"rival-gear.com": "Rival Gear", "peak-supply.com": "Peak Supply"}[site]
            return rng.choice((brand, site, "here", "their shop", brand + " sale"))
        roll = rng.random()
        page_keywords = [k.keyword for k in self.keywords if k.path == path]
        if page_keywords and roll < (0.5 if topical else 0.2):
            return rng.choice(page_keywords)
        if roll < 0.62:
            return rng.choice(GENERIC_ANCHORS)
        if roll < 0.82:
            return SITE_BRAND
        return rng.choice((SITE, SITE_HOST, f"{SITE_HOST}{path}".rstrip("/")))

    def _stock_link_count(self, rng: random.Random) -> int:
        weights = [w for w, _, _ in LINKS_PER_DOMAIN]
        _, lo, hi = rng.choices(LINKS_PER_DOMAIN, weights=weights)[0]
        return rng.randint(lo, hi)

    def _old_date(self, rng: random.Random) -> date:
        return self.start - timedelta(days=rng.randint(20, 6 * 365))

    def _add_domain_links(
        self,
        rng: random.Random,
        domain: Domain,
        site: str,
        first: date,
        count: int,
        stream: str,
        weights: dict[str, int],
    ) -> list[Link]:
        sitewide = count >= 15
        path = self._target(rng, weights)
        links = []
        for i in range(count):
            seen = first if i == 0 or sitewide else first + timedelta(days=rng.randint(0, 400))
            # A domain's later links stay before the history when it started linking before
            # it: every link won during the history comes from the streams, at their rates.
            if seen > self.start - timedelta(days=1) and first < self.start:
                seen = first
            target = path if sitewide else (path if i == 0 else self._target(rng, weights))
            links.append(self._link(rng, domain, site, target, seen, stream, sitewide=sitewide))
        if sitewide:
            # One crawl finds a sitewide link on every page at once: one first-seen time.
            for link in links:
                link.seen_seconds = links[0].seen_seconds
        return _dedupe(links)

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


def _keywords() -> tuple[Keyword, ...]:
    def scaled(tag: str, target: float) -> float:
        values = [row[4] for row in KEYWORDS if row[1] == tag]
        return target / (sum(values) / len(values))

    factors = {
        "head": scaled("head", HEAD_TERMS_BASELINE),
        "product": scaled("product", PRODUCT_KEYWORDS_BASELINE),
    }
    return tuple(
        Keyword(kw, tuple(tags.split(";")), path, vol, pos * factors.get(tags, 1.0))
        for kw, tags, path, vol, pos in KEYWORDS
    )


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


def _dedupe(links: list[Link]) -> list[Link]:
    """One link per (source page, target page): vendors report a pair once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        key = (link.source_url, link.target_path)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


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
