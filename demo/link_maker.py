"""The links of the demo `World`, one at a time: referring domains (unique, plausible names; the
relevant ones write about the outdoors) and each link's page, anchor, type and attributes, drawn
from per-purpose random streams so that a change to one stream leaves the others alone.
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
    PARTIAL_ANCHORS,
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
    COMPETITORS,
    DISAVOW_DOMAIN,
    HEAD_TERMS_BASELINE,
    LINK_LAG_DAYS,
    LINKS_PER_DOMAIN,
    NOFOLLOW_SHARE,
    PRODUCT_KEYWORDS_BASELINE,
    SITE,
    SITE_BRAND,
    SITE_HOST,
    Domain,
    Keyword,
    Link,
    is_relevant,
    month_end,
    period_for,
)


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


class LinkMaker:
    """Makes domains and their links; `demo.links` builds the world's history out of them."""

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
            keyword = rng.choice(page_keywords)
            if roll < 0.1:
                # the phrase follows from the roll already drawn: no draw after it moves
                return PARTIAL_ANCHORS[int(roll * 100) % len(PARTIAL_ANCHORS)].format(keyword)
            return keyword
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
