"""The config as the `raw.config_*` tables: dbt reads `linkokr.yml` only through these.

Each table is one row dataclass; its columns and their DuckDB types are read from the fields'
annotations, so a column is declared once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import types
from dataclasses import astuple, dataclass
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    TypedDict,
    Union,
    get_args,
    get_origin,
    is_typeddict,
)
from typing import get_type_hints as type_hints

import duckdb

from ingest.config.metrics import METRICS, Filters
from ingest.config.scope import check_name
from ingest.domains import domain_name
from ingest.warehouse import quote_identifier, transaction

if TYPE_CHECKING:
    from ingest.config.metrics import KeyResultBase
    from ingest.config.models import LinkokrConfig, Objective, Site

log = logging.getLogger(__name__)

_SQL_TYPES: dict[Any, str] = {
    str: "varchar",
    float: "double",
    int: "integer",
    bool: "boolean",
    dt.date: "date",
}


class MilestoneValue(TypedDict):
    date: dt.date
    value: float


def sql_type(annotation: Any) -> str:
    """The DuckDB type of a row field: `str | None` is varchar, `list[int]` integer[], a
    TypedDict a struct."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return sql_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        [inner] = [a for a in get_args(annotation) if a is not type(None)]
        return sql_type(inner)
    if origin is list:
        return sql_type(get_args(annotation)[0]) + "[]"
    if is_typeddict(annotation):
        members = type_hints(annotation)
        return "struct(" + ", ".join(f"{n} {sql_type(t)}" for n, t in members.items()) + ")"
    return _SQL_TYPES[annotation]


def columns(row_type: type) -> list[tuple[str, str]]:
    """The `(column, DuckDB type)` pairs of a row dataclass, in field order."""
    hints = type_hints(row_type)
    return [(f.name, sql_type(hints[f.name])) for f in dataclasses.fields(row_type)]


@dataclass(frozen=True)
class SettingsRow:
    on_track_threshold: float
    at_risk_threshold: float
    status_grace_days: int
    authority_priority: list[str]
    unranked_position: float
    attribution_windows: list[int]
    lookback_days: int
    stale_export_days: int


@dataclass(frozen=True)
class SiteRow:
    """An own site, or a competitor of one (`is_competitor`, with the sites it competes with)."""

    site: str
    is_competitor: bool
    competitor_of: list[str]
    competitors: list[str]
    ga4_property_id: str | None
    gsc_site_url: str | None
    relevance_topics: list[str]
    disavow: list[str]
    brand_terms: list[str]


@dataclass(frozen=True)
class PageGroupRow:
    site: str
    page_group: str
    pattern: str


@dataclass(frozen=True)
class KeywordSetRow:
    site: str
    keyword_set: str
    tags: list[str]
    keywords: list[str]


@dataclass(frozen=True)
class KeyResultRow:
    """One key result with everything resolved: the shape of `raw.config_key_results`."""

    kr_id: str
    objective_id: str
    objective_title: str
    objective_owner: str | None
    site: str
    key_result_id: str
    title: str
    owner: str | None
    metric: str
    direction: str
    unit: str
    baseline: float | None
    target: float
    start_date: dt.date
    end_date: dt.date
    milestones: list[MilestoneValue]
    page_group: str | None
    keyword_set: str | None
    source: str | None
    min_position: float | None
    max_position: float | None
    competitor: str | None
    authority_metric: str | None
    filters: str
    min_authority: float | None
    tiers: list[str] | None
    followed_only: bool
    relevant_only: bool
    exclude_toxic: bool
    placements: list[str] | None
    anchor_types: list[str] | None
    check_name: str

    @property
    def family(self) -> str:
        return METRICS[self.metric].family


TABLES: dict[str, type] = {
    "config_settings": SettingsRow,
    "config_sites": SiteRow,
    "config_page_groups": PageGroupRow,
    "config_keyword_sets": KeywordSetRow,
    "config_key_results": KeyResultRow,
}


def key_result_row(site: Site, objective: Objective, kr: KeyResultBase) -> KeyResultRow:
    info = METRICS[kr.metric]
    kr_id = f"{objective.id}.{kr.id}"
    # Keys the metric's family does not take read as not given.
    given: Filters | None = getattr(kr, "filters", None)
    filters = given or Filters()
    authority_metric = getattr(kr, "authority_metric", None)
    if kr.metric == "domain_authority" and authority_metric is None:
        authority_metric = "ahrefs_dr"
    return KeyResultRow(
        kr_id=kr_id,
        objective_id=objective.id,
        objective_title=objective.title,
        objective_owner=objective.owner,
        site=site.domain,
        key_result_id=kr.id,
        title=kr.title or f"{kr.metric} → {kr.target:g}",
        owner=kr.owner or objective.owner,
        metric=kr.metric,
        direction=info.direction,
        unit=info.unit,
        baseline=0.0 if kr.metric.endswith("_change_pct") else kr.baseline,
        target=kr.target,
        start_date=objective.period.start,
        end_date=objective.period.end,
        milestones=[{"date": m.date, "value": m.value} for m in kr.milestones],
        page_group=kr.page_group,
        keyword_set=kr.keyword_set,
        source=getattr(kr, "source", None),
        min_position=getattr(kr, "min_position", None),
        max_position=getattr(kr, "max_position", None),
        competitor=getattr(kr, "competitor", None),
        authority_metric=authority_metric,
        filters=json.dumps(given.model_dump(exclude_unset=True) if given else {}, sort_keys=True),
        min_authority=filters.min_authority,
        tiers=list(filters.tiers) if filters.tiers else None,
        followed_only=filters.followed_only,
        relevant_only=filters.relevant_only,
        exclude_toxic=filters.exclude_toxic,
        placements=list(filters.placements) if filters.placements else None,
        anchor_types=list(filters.anchor_types) if filters.anchor_types else None,
        check_name=check_name(kr_id),
    )


def brand_terms(domain: str, configured: list[str] = ()) -> list[str]:
    """The terms that make an anchor to `domain` branded: the configured ones, then the domain
    name without its suffix, also run together when it has hyphens (`acme-outdoor` and
    `acmeoutdoor`; dbt reads the hyphen as a space, so `Acme Outdoor` matches too)."""
    name = domain_name(domain)
    return list(dict.fromkeys([*configured, name, name.replace("-", "")]))


def _site_rows(cfg: LinkokrConfig) -> list[SiteRow]:
    own = {site.domain for site in cfg.sites}
    competitor_of: dict[str, list[str]] = {}
    for site in cfg.sites:
        for competitor in site.competitors:
            owners = competitor_of.setdefault(competitor, [])
            if site.domain not in owners:
                owners.append(site.domain)
    return [
        SiteRow(
            site=site.domain,
            is_competitor=False,
            competitor_of=[],
            competitors=list(site.competitors),
            ga4_property_id=site.ga4_property_id,
            gsc_site_url=site.gsc_site_url,
            relevance_topics=list(site.relevance_topics),
            disavow=list(site.disavow),
            brand_terms=brand_terms(site.domain, site.brand_terms),
        )
        for site in cfg.sites
    ] + [
        SiteRow(domain, True, owners, [], None, None, [], [], brand_terms(domain))
        for domain, owners in competitor_of.items()
        if domain not in own
    ]


def config_rows(cfg: LinkokrConfig) -> dict[str, list[Any]]:
    """The rows of every `raw.config_*` table (keyed like TABLES) for `cfg`."""
    s = cfg.settings
    settings = SettingsRow(
        on_track_threshold=s.status_thresholds.on_track,
        at_risk_threshold=s.status_thresholds.at_risk,
        status_grace_days=s.status_grace_days,
        authority_priority=list(s.authority_priority),
        unranked_position=s.unranked_position,
        attribution_windows=list(s.attribution_windows),
        lookback_days=s.lookback_days,
        stale_export_days=s.stale_export_days,
    )
    return {
        "config_settings": [settings],
        "config_sites": _site_rows(cfg),
        "config_page_groups": [
            PageGroupRow(site.domain, group, pattern)
            for site in cfg.sites
            for group, patterns in site.page_groups.items()
            for pattern in dict.fromkeys(patterns)
        ],
        "config_keyword_sets": [
            KeywordSetRow(site.domain, name, list(keyword_set.tags), list(keyword_set.keywords))
            for site in cfg.sites
            for name, keyword_set in site.keyword_sets.items()
        ],
        "config_key_results": cfg.key_results(),
    }


def write_config_tables(con: duckdb.DuckDBPyConnection, cfg: LinkokrConfig) -> dict[str, int]:
    """Replace the `raw.config_*` tables with `cfg`, all in one transaction; rows per table.

    Replace, not append: a key result removed from the file must disappear from the marts.
    """
    rows = config_rows(cfg)
    counts: dict[str, int] = {}
    with transaction(con):
        con.execute("create schema if not exists raw")
        for table, row_type in TABLES.items():
            name = f"raw.{quote_identifier(table)}"
            table_columns = columns(row_type)
            column_sql = ", ".join(f"{quote_identifier(c)} {t}" for c, t in table_columns)
            con.execute(f"create or replace table {name} ({column_sql})")
            if rows[table]:
                placeholders = ", ".join("?" for _ in table_columns)
                con.executemany(
                    f"insert into {name} values ({placeholders})",
                    [astuple(row) for row in rows[table]],
                )
            counts[f"raw.{table}"] = len(rows[table])
    log.info("wrote config tables: %s", counts)
    return counts
