"""Load and validate `linkokr.yml`, and write it into the warehouse as the `raw.config_*` tables.

The config is the one place a person types by hand, so every problem is reported at once, each
as `<file>:<line>: <key path>: <what was expected>`: a typo must fail loudly, never pass silently.
Line numbers come from the composed YAML node tree, so pydantic's error locations and the
cross-key checks below both point at the line a person has to fix. dbt reads the config only
through the tables written by `write_config_tables`; the metric catalog lives here so that dbt,
the Dagster checks and the scoreboard agree on direction and unit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import math
import re
import types
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import duckdb
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from yaml.constructor import SafeConstructor

from ingest.domains import registrable_domain

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Metric catalog
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricInfo:
    direction: Literal["up", "down"]
    unit: Literal["score", "count", "position", "percent"]
    family: Literal["authority", "link", "gap", "rank", "traffic"]


METRICS: dict[str, MetricInfo] = {
    "domain_authority": MetricInfo("up", "score", "authority"),
    "referring_domains": MetricInfo("up", "count", "link"),
    "backlinks_acquired": MetricInfo("up", "count", "link"),
    "referring_domains_acquired": MetricInfo("up", "count", "link"),
    "min_monthly_new_backlinks": MetricInfo("up", "count", "link"),
    "link_gap_opportunities": MetricInfo("up", "count", "gap"),
    "competitor_gap_links_acquired": MetricInfo("up", "count", "gap"),
    "average_position": MetricInfo("down", "position", "rank"),
    "pages_in_position_range": MetricInfo("up", "count", "rank"),
    "organic_sessions": MetricInfo("up", "count", "traffic"),
    "organic_sessions_change_pct": MetricInfo("up", "percent", "traffic"),
    "organic_key_events_change_pct": MetricInfo("up", "percent", "traffic"),
    "organic_revenue_change_pct": MetricInfo("up", "percent", "traffic"),
    "organic_transactions_change_pct": MetricInfo("up", "percent", "traffic"),
}

FILTERABLE_METRICS = frozenset(m for m, info in METRICS.items() if info.family in ("link", "gap"))
GAP_METRICS = frozenset(m for m, info in METRICS.items() if info.family == "gap")
RANK_METRICS = frozenset(m for m, info in METRICS.items() if info.family == "rank")
AUTHORITY_METRICS = ("ahrefs_dr", "moz_da", "semrush_as", "majestic_tf")
TIERS = ("tier_1", "tier_2", "tier_3", "tier_4", "toxic")
RANK_SOURCES = ("semrush", "ahrefs", "accuranker", "se_ranking", "generic", "gsc")

AuthorityMetric = Literal["ahrefs_dr", "moz_da", "semrush_as", "majestic_tf"]
Tier = Literal["tier_1", "tier_2", "tier_3", "tier_4", "toxic"]
RankSource = Literal["semrush", "ahrefs", "accuranker", "se_ranking", "generic", "gsc"]

_ID = re.compile(r"^[a-z0-9_-]+$")
_CHECK_NAME_OTHER = re.compile(r"[^A-Za-z0-9_]")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def check_name(kr_id: str) -> str:
    """The Dagster asset-check name of a key result (Dagster names allow only `[A-Za-z0-9_]`)."""
    return "kr_" + _CHECK_NAME_OTHER.sub("_", kr_id)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    line: int | None
    path: str
    message: str


class ConfigError(ValueError):
    """A config that cannot be used; `str(e)` lists every problem, one per line."""

    def __init__(self, file: Path | str, problems: Sequence[ConfigProblem]):
        self.file = str(file)
        self.problems = list(problems)
        super().__init__("\n".join(self._format(p) for p in self.problems))

    def _format(self, problem: ConfigProblem) -> str:
        where = self.file if problem.line is None else f"{self.file}:{problem.line}"
        if not problem.path:
            return f"{where}: {problem.message}"
        return f"{where}: {problem.path}: {problem.message}"


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def _accept_number_as_text(value: Any) -> Any:
    # An unquoted `id: 2026` or `ga4_property_id: 123456789` is what the person meant; floats and
    # booleans are not (1.10 would silently become "1.1").
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _valid_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"expected an id of lowercase letters, digits, '-' and '_', got {value!r}")
    return value


def _valid_domain(value: str) -> str:
    if value != value.strip():
        raise ValueError(f"expected a domain without surrounding spaces, got {value!r}")
    if "/" in value or ":" in value:
        raise ValueError(
            f"expected a bare registrable domain (no scheme or path) like 'acme.com', got {value!r}"
        )
    if value != value.lower():
        raise ValueError(f"expected a lowercase domain, got {value!r} (write {value.lower()!r})")
    if not _DOMAIN.match(value):
        raise ValueError(f"expected a domain name like 'acme.com', got {value!r}")
    registrable = registrable_domain(value)
    if registrable != value:
        raise ValueError(
            f"expected a registrable domain, got the subdomain {value!r} (write {registrable!r})"
        )
    return value


def _metric_in_catalog(value: str) -> str:
    if value not in METRICS:
        close = difflib.get_close_matches(value, METRICS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"expected a metric from the catalog, got {value!r}{hint}; one of: {', '.join(METRICS)}"
        )
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _clean_terms(values: list[str]) -> list[str]:
    # Keywords, tags and topics are compared lowercased and trimmed everywhere downstream.
    seen: dict[str, None] = {}
    for value in values:
        term = value.strip().lower()
        if term:
            seen.setdefault(term)
    return list(seen)


Id = Annotated[str, BeforeValidator(_accept_number_as_text), AfterValidator(_valid_id)]
Domain = Annotated[str, AfterValidator(_valid_domain)]
Terms = Annotated[list[str], AfterValidator(_clean_terms)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class StatusThresholds(_Model):
    on_track: float = Field(strict=True, default=0.9, gt=0)
    at_risk: float = Field(strict=True, default=0.7, gt=0)


class Settings(_Model):
    status_thresholds: StatusThresholds = StatusThresholds()
    status_grace_days: int = Field(strict=True, default=14, ge=0)
    authority_priority: list[AuthorityMetric] = Field(
        default_factory=lambda: list(AUTHORITY_METRICS), min_length=1
    )
    unranked_position: float = Field(strict=True, default=101, ge=1)
    attribution_windows: list[Annotated[int, Field(strict=True, gt=0)]] = Field(
        default_factory=lambda: [30, 60, 90], min_length=1
    )
    lookback_days: int = Field(strict=True, default=3, ge=0)
    stale_export_days: int = Field(strict=True, default=35, ge=1)
    # How a file's numeric dates (`03/04/2026`) read when its values cannot tell day-first from
    # month-first (no part above 12): `auto` refuses such a file and names the column.
    date_order: Literal["auto", "dmy", "mdy"] = "auto"
    # An inbox file is loaded once its size and modification time have not changed for this
    # long (an export still downloading waits for the next run).
    inbox_settle_seconds: float = Field(default=3.0, ge=0, le=3600)


class Period(_Model):
    start: dt.date
    end: dt.date


class Milestone(_Model):
    date: dt.date
    value: float = Field(strict=True)


class Filters(_Model):
    min_authority: float | None = Field(strict=True, default=None, ge=0, le=100)
    tiers: list[Tier] | None = Field(strict=True, default=None, min_length=1)
    followed_only: bool = Field(strict=True, default=False)
    relevant_only: bool = Field(strict=True, default=False)
    exclude_toxic: bool = Field(strict=True, default=True)


class KeyResult(_Model):
    id: Id
    metric: Annotated[str, AfterValidator(_metric_in_catalog)]
    target: float = Field(strict=True)
    title: Text | None = None
    owner: Text | None = None
    baseline: float | None = Field(strict=True, default=None)
    milestones: list[Milestone] = []
    page_group: Text | None = None
    keyword_set: Text | None = None
    source: RankSource | None = None
    min_position: float | None = Field(strict=True, default=None, ge=1)
    max_position: float | None = Field(strict=True, default=None, ge=1)
    competitor: Domain | None = None
    authority_metric: AuthorityMetric | None = None
    filters: Filters | None = None


class Objective(_Model):
    id: Id
    title: Text
    period: Period
    owner: Text | None = None
    key_results: list[KeyResult] = []


class KeywordSet(_Model):
    tags: Terms = []
    keywords: Terms = []


class Site(_Model):
    domain: Domain
    ga4_property_id: Annotated[Text, BeforeValidator(_accept_number_as_text)] | None = None
    gsc_site_url: Text | None = None
    competitors: list[Domain] = []
    relevance_topics: Terms = []
    disavow: Terms = []
    page_groups: dict[
        Text, Annotated[list[Text], BeforeValidator(_one_or_many), Field(min_length=1)]
    ] = {}
    keyword_sets: dict[Text, KeywordSet] = {}
    objectives: list[Objective] = []


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
    milestones: list[dict[str, Any]]
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
    check_name: str

    @property
    def family(self) -> str:
        return METRICS[self.metric].family


class LinkokrConfig(_Model):
    settings: Settings = Settings()
    sites: list[Site] = Field(min_length=1)

    def key_results(self) -> list[KeyResultRow]:
        return [
            _key_result_row(site, objective, kr)
            for site in self.sites
            for objective in site.objectives
            for kr in objective.key_results
        ]


# What to do while the config has sites but no key result (the first config a user writes):
# `linkokr status` and the dashboard say the same.
ADD_KEY_RESULTS_HINT = "add objectives with key_results under a site (see the example linkokr.yml)"


def _format_number(value: float) -> str:
    return f"{value:g}"


def _key_result_row(site: Site, objective: Objective, kr: KeyResult) -> KeyResultRow:
    info = METRICS[kr.metric]
    kr_id = f"{objective.id}.{kr.id}"
    baseline = 0.0 if kr.metric.endswith("_change_pct") else kr.baseline
    filters = kr.filters or Filters()
    authority_metric = kr.authority_metric
    if kr.metric == "domain_authority" and authority_metric is None:
        authority_metric = "ahrefs_dr"
    return KeyResultRow(
        kr_id=kr_id,
        objective_id=objective.id,
        objective_title=objective.title,
        objective_owner=objective.owner,
        site=site.domain,
        key_result_id=kr.id,
        title=kr.title or f"{kr.metric} → {_format_number(kr.target)}",
        owner=kr.owner or objective.owner,
        metric=kr.metric,
        direction=info.direction,
        unit=info.unit,
        baseline=baseline,
        target=kr.target,
        start_date=objective.period.start,
        end_date=objective.period.end,
        milestones=[{"date": m.date, "value": m.value} for m in kr.milestones],
        page_group=kr.page_group,
        keyword_set=kr.keyword_set,
        source=kr.source,
        min_position=kr.min_position,
        max_position=kr.max_position,
        competitor=kr.competitor,
        authority_metric=authority_metric,
        filters=json.dumps(
            kr.filters.model_dump(exclude_unset=True) if kr.filters else {}, sort_keys=True
        ),
        min_authority=filters.min_authority,
        tiers=list(filters.tiers) if filters.tiers else None,
        followed_only=filters.followed_only,
        relevant_only=filters.relevant_only,
        exclude_toxic=filters.exclude_toxic,
        check_name=check_name(kr_id),
    )


# ---------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves an impossible date (2026-13-01) as text for pydantic to reject.

    PyYAML raises a bare ValueError without a line for those; as text, the error gets one.
    """


def _lenient_timestamp(loader: SafeConstructor, node: yaml.Node) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class _Lines:
    """Line (1-based) of every key and list item, addressed by its path from the root.

    Walking the tree also retags every plain mapping key as text: YAML 1.1 would read a key
    `on:` or `no:` as a boolean and `2026:` as a number, and the error would then name a key
    the person never wrote.
    """

    def __init__(self, root: yaml.Node | None):
        self._lines: dict[tuple[str, ...], int] = {(): 1}
        self.duplicates: list[tuple[Loc, int, int]] = []
        if root is not None:
            self._lines[()] = root.start_mark.line + 1
            self._walk(root, (), set())

    def _walk(self, node: yaml.Node, path: Loc, ancestors: set[int]) -> None:
        if id(node) in ancestors:  # a recursive alias (`&a [*a]`)
            return
        ancestors = ancestors | {id(node)}
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key_node.tag = _STR_TAG
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.duplicates.append(((*path, key), line, seen[key]))
                seen[key] = line
                self._lines[_norm((*path, key))] = line
                self._walk(value_node, (*path, key), ancestors)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._lines[_norm((*path, index))] = item.start_mark.line + 1
                self._walk(item, (*path, index), ancestors)

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest existing ancestor (a missing key's parent)."""
        key = _norm(loc)
        while key not in self._lines:
            key = key[:-1]
        return self._lines[key]


def _norm(loc: Loc) -> tuple[str, ...]:
    return tuple(str(part) for part in loc)


def _display(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _read_yaml(path: Path) -> tuple[Any, _Lines]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            path, [ConfigProblem(None, "", "config file not found (set LINKOKR_CONFIG)")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            path, [ConfigProblem(None, "", f"cannot read config file: {exc}")]
        ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines = _Lines(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        column = f" (column {mark.column + 1})" if mark else ""
        raise ConfigError(
            path, [ConfigProblem(line, "", f"invalid YAML: {what}{column}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, [ConfigProblem(None, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return data, lines


# ---------------------------------------------------------------------------------------------
# pydantic errors -> problems
# ---------------------------------------------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _allowed_keys(loc: Loc) -> list[str] | None:
    """The keys the model at `loc` accepts, for the 'unknown key' message."""
    tp: Any = LinkokrConfig
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str) or part not in tp.model_fields:
                return None
            tp = tp.model_fields[part].annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dt.date):
        return str(value)
    return repr(value)


_EXPECTED = {
    "string_type": "expected text",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "date_type": "expected a date (YYYY-MM-DD)",
    "date_parsing": "expected a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "expected a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "expected a date (YYYY-MM-DD) without a time",
}


def _problem_from_pydantic(error: Any, lines: _Lines) -> ConfigProblem:
    loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        message = "required key is missing"
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1]) or []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown key{hint}; expected one of: {', '.join(allowed)}"
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
    elif kind == "literal_error":
        message = f"expected one of {ctx.get('expected')}, got {_shown(value)}"
    elif kind == "too_short":
        message = f"expected at least {ctx.get('min_length')} item(s)"
    elif kind in _EXPECTED:
        message = f"{_EXPECTED[kind]}, got {_shown(value)}"
    else:
        message = f"{error['msg'].replace('Input should be', 'expected')}, got {_shown(value)}"
    if error["loc"] and error["loc"][-1] == "[key]":
        message = f"invalid key {loc[-1]!r}: {message}"
    return ConfigProblem(lines.line(loc), _display(loc), message)


# ---------------------------------------------------------------------------------------------
# Checks across keys (run on the raw data, so they are reported together with type errors)
# ---------------------------------------------------------------------------------------------


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


class _Checker:
    def __init__(self) -> None:
        self.found: list[tuple[Loc, str]] = []

    def add(self, loc: Loc, message: str) -> None:
        self.found.append((loc, message))

    def run(self, data: dict[str, Any], lines: _Lines) -> list[tuple[Loc, str]]:
        for loc, _line, first in lines.duplicates:
            self.add(loc, f"duplicate key (first given on line {first}); each key may appear once")
        self._settings(_mapping(data.get("settings")))
        objective_ids: dict[str, Loc] = {}
        check_names: dict[str, tuple[str, Loc]] = {}
        own_domains: dict[str, Loc] = {}
        sites = [(i, s) for i, s in _items(data.get("sites")) if isinstance(s, dict)]
        for i, site in sites:
            domain = _text(site.get("domain"))
            if domain is None:
                continue
            if domain in own_domains:
                self.add(
                    ("sites", i, "domain"),
                    f"site {domain!r} is configured twice "
                    f"(also at {_display(own_domains[domain])})",
                )
            else:
                own_domains[domain] = ("sites", i)
        for i, site in sites:
            self._site(("sites", i), site, own_domains, objective_ids, check_names)
        return self.found

    def _settings(self, settings: dict[str, Any]) -> None:
        thresholds = _mapping(settings.get("status_thresholds"))
        on_track = _number(thresholds.get("on_track", 0.9))
        at_risk = _number(thresholds.get("at_risk", 0.7))
        if on_track is not None and at_risk is not None and at_risk > on_track:
            self.add(
                ("settings", "status_thresholds", "at_risk"),
                f"expected at_risk ({at_risk:g}) <= on_track ({on_track:g})",
            )
        for key in ("authority_priority", "attribution_windows"):
            seen: set[Any] = set()
            for j, value in _items(settings.get(key)):
                if isinstance(value, str | int) and value in seen:
                    self.add(("settings", key, j), f"{value!r} is listed twice")
                seen.add(value if isinstance(value, str | int) else id(value))

    def _site(
        self,
        loc: Loc,
        site: dict[str, Any],
        own_domains: dict[str, Loc],
        objective_ids: dict[str, Loc],
        check_names: dict[str, tuple[str, Loc]],
    ) -> None:
        domain = _text(site.get("domain"))
        competitors: set[str] = set()
        for j, competitor in _items(site.get("competitors")):
            if not isinstance(competitor, str):
                continue
            if competitor == domain:
                self.add((*loc, "competitors", j), "a site cannot be its own competitor")
            elif competitor in own_domains:
                self.add(
                    (*loc, "competitors", j),
                    f"{competitor!r} is configured as an own site; expected a competitor domain",
                )
            if competitor in competitors:
                self.add((*loc, "competitors", j), f"competitor {competitor!r} is listed twice")
            competitors.add(competitor)
        for group, patterns in _mapping(site.get("page_groups")).items():
            for j, pattern in _items(_one_or_many(patterns)):
                if isinstance(pattern, str):
                    self._page_pattern((*loc, "page_groups", group, j), pattern)
        page_groups = set(_mapping(site.get("page_groups")))
        keyword_sets = _mapping(site.get("keyword_sets"))
        for name, keyword_set in keyword_sets.items():
            if isinstance(keyword_set, dict) and not (
                keyword_set.get("tags") or keyword_set.get("keywords")
            ):
                self.add(
                    (*loc, "keyword_sets", name),
                    "expected `tags` or `keywords` (a keyword set cannot be empty)",
                )
        for j, objective in _items(site.get("objectives")):
            if not isinstance(objective, dict):
                continue
            oloc = (*loc, "objectives", j)
            objective_id = _text(objective.get("id"))
            if objective_id is not None:
                if objective_id in objective_ids:
                    self.add(
                        (*oloc, "id"),
                        f"objective id {objective_id!r} is already used at "
                        f"{_display(objective_ids[objective_id])}; expected ids unique in the file",
                    )
                else:
                    objective_ids[objective_id] = (*oloc, "id")
            period = _mapping(objective.get("period"))
            start, end = _date(period.get("start")), _date(period.get("end"))
            if start and end and start > end:
                self.add(
                    (*oloc, "period", "end"), f"expected end ({end}) on or after start ({start})"
                )
                # milestones cannot be placed in a reversed period; one error is enough
                start = end = None
            kr_ids: dict[str, Loc] = {}
            for k, kr in _items(objective.get("key_results")):
                if not isinstance(kr, dict):
                    continue
                kloc = (*oloc, "key_results", k)
                kr_id = _text(kr.get("id"))
                if kr_id is not None:
                    if kr_id in kr_ids:
                        self.add(
                            (*kloc, "id"),
                            f"key result id {kr_id!r} is already used at "
                            f"{_display(kr_ids[kr_id])}; expected ids unique in their objective",
                        )
                    else:
                        kr_ids[kr_id] = (*kloc, "id")
                        if objective_id is not None:
                            self._check_name(f"{objective_id}.{kr_id}", (*kloc, "id"), check_names)
                self._key_result(
                    kloc, kr, start, end, page_groups, set(keyword_sets), competitors, domain
                )

    def _page_pattern(self, loc: Loc, pattern: str) -> None:
        host = pattern.split("/", 1)[0]
        if "://" in pattern or host.startswith("www.") or host != host.lower():
            self.add(
                loc,
                f"expected a glob over pages (lowercase host without scheme or www., then the "
                f"path, e.g. 'acme.com/guides/*'), got {pattern!r}",
            )

    def _check_name(self, kr_id: str, loc: Loc, check_names: dict[str, tuple[str, Loc]]) -> None:
        name = check_name(kr_id)
        if name in check_names:
            other, other_loc = check_names[name]
            self.add(
                loc,
                f"key result {kr_id!r} and {other!r} (at {_display(other_loc)}) both map to the "
                f"Dagster check name {name!r}; expected ids that differ in more than '-' vs '_'",
            )
        else:
            check_names[name] = (kr_id, loc)

    def _key_result(
        self,
        loc: Loc,
        kr: dict[str, Any],
        start: dt.date | None,
        end: dt.date | None,
        page_groups: set[str],
        keyword_sets: set[str],
        competitors: set[str],
        domain: str | None,
    ) -> None:
        metric = kr.get("metric") if kr.get("metric") in METRICS else None
        where = f" on site {domain!r}" if domain else ""

        previous: dt.date | None = None
        for m, milestone in _items(kr.get("milestones")):
            when = _date(_mapping(milestone).get("date"))
            if when is None:
                continue
            if start and end and not start <= when <= end:
                self.add(
                    (*loc, "milestones", m, "date"),
                    f"expected a date inside the objective's period {start} … {end}, got {when}",
                )
            if previous and when <= previous:
                self.add(
                    (*loc, "milestones", m, "date"),
                    f"expected milestones in ascending date order, got {when} after {previous}",
                )
            previous = when

        page_group = kr.get("page_group")
        if isinstance(page_group, str) and page_group not in page_groups:
            self.add(
                (*loc, "page_group"),
                f"page group {page_group!r} is not defined{where}; expected one of: "
                f"{', '.join(sorted(page_groups)) or '(none defined)'}",
            )
        keyword_set = kr.get("keyword_set")
        if isinstance(keyword_set, str) and keyword_set not in keyword_sets:
            self.add(
                (*loc, "keyword_set"),
                f"keyword set {keyword_set!r} is not defined{where}; expected one of: "
                f"{', '.join(sorted(keyword_sets)) or '(none defined)'}",
            )
        competitor = kr.get("competitor")
        if isinstance(competitor, str) and competitor not in competitors:
            self.add(
                (*loc, "competitor"),
                f"{competitor!r} is not a competitor{where}; expected one of: "
                f"{', '.join(sorted(competitors)) or '(no competitors listed)'}",
            )

        min_position, max_position = (
            _number(kr.get("min_position")),
            _number(kr.get("max_position")),
        )
        if min_position is not None and max_position is not None and min_position > max_position:
            self.add(
                (*loc, "max_position"),
                f"expected max_position ({max_position:g}) >= min_position ({min_position:g})",
            )
        if metric is None:
            return

        if metric == "pages_in_position_range":
            for key in ("page_group", "min_position", "max_position"):
                if kr.get(key) is None:
                    self.add((*loc, key), f"required key is missing (needed by metric {metric})")
        else:
            for key in ("min_position", "max_position"):
                if key in kr:
                    self.add((*loc, key), "only allowed on metric pages_in_position_range")
        if "filters" in kr and metric not in FILTERABLE_METRICS:
            self.add(
                (*loc, "filters"),
                "filters apply to link and gap metrics only "
                f"({', '.join(sorted(FILTERABLE_METRICS))}), not to {metric}",
            )
        if "authority_metric" in kr and metric != "domain_authority":
            self.add((*loc, "authority_metric"), "only allowed on metric domain_authority")
        if "competitor" in kr and metric not in GAP_METRICS:
            self.add(
                (*loc, "competitor"),
                f"only allowed on the gap metrics ({', '.join(sorted(GAP_METRICS))})",
            )
        if "source" in kr and metric not in RANK_METRICS:
            self.add(
                (*loc, "source"),
                f"a rank source applies to rank metrics only ({', '.join(sorted(RANK_METRICS))})",
            )
        baseline = _number(kr.get("baseline"))
        if metric.endswith("_change_pct") and baseline not in (None, 0.0):
            self.add(
                (*loc, "baseline"),
                f"expected 0 or no baseline: {metric} is a change against the day before the "
                f"period, so its baseline is 0 by definition (got {baseline:g})",
            )


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_config(path: Path) -> LinkokrConfig:
    """Read and validate `linkokr.yml`; raise ConfigError listing every problem with its line."""
    path = Path(path)
    data, lines = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(
            path,
            [
                ConfigProblem(
                    1, "(top level)", f"expected a mapping with `sites`, got {_shown(data)}"
                )
            ],
        )
    found: list[ConfigProblem] = []
    config: LinkokrConfig | None = None
    try:
        config = LinkokrConfig.model_validate(data)
    except ValidationError as exc:
        found.extend(_problem_from_pydantic(error, lines) for error in exc.errors())
    found.extend(
        ConfigProblem(lines.line(loc), _display(loc), message)
        for loc, message in _Checker().run(data, lines)
    )
    if found or config is None:
        unique = list(dict.fromkeys(found))
        unique.sort(key=lambda p: (p.line or 0, p.path))
        raise ConfigError(path, unique)
    log.info(
        "loaded %s: %d site(s), %d key result(s)",
        path,
        len(config.sites),
        len(config.key_results()),
    )
    return config


# ---------------------------------------------------------------------------------------------
# Warehouse tables
# ---------------------------------------------------------------------------------------------

_TABLES: dict[str, list[tuple[str, str]]] = {
    "config_settings": [
        ("on_track_threshold", "double"),
        ("at_risk_threshold", "double"),
        ("status_grace_days", "integer"),
        ("authority_priority", "varchar[]"),
        ("unranked_position", "double"),
        ("attribution_windows", "integer[]"),
        ("lookback_days", "integer"),
        ("stale_export_days", "integer"),
    ],
    "config_sites": [
        ("site", "varchar"),
        ("is_competitor", "boolean"),
        ("competitor_of", "varchar[]"),
        ("competitors", "varchar[]"),
        ("ga4_property_id", "varchar"),
        ("gsc_site_url", "varchar"),
        ("relevance_topics", "varchar[]"),
        ("disavow", "varchar[]"),
    ],
    "config_page_groups": [
        ("site", "varchar"),
        ("page_group", "varchar"),
        ("pattern", "varchar"),
    ],
    "config_keyword_sets": [
        ("site", "varchar"),
        ("keyword_set", "varchar"),
        ("tags", "varchar[]"),
        ("keywords", "varchar[]"),
    ],
    "config_key_results": [
        ("kr_id", "varchar"),
        ("objective_id", "varchar"),
        ("objective_title", "varchar"),
        ("objective_owner", "varchar"),
        ("site", "varchar"),
        ("key_result_id", "varchar"),
        ("title", "varchar"),
        ("owner", "varchar"),
        ("metric", "varchar"),
        ("direction", "varchar"),
        ("unit", "varchar"),
        ("baseline", "double"),
        ("target", "double"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("milestones", "struct(date date, value double)[]"),
        ("page_group", "varchar"),
        ("keyword_set", "varchar"),
        ("source", "varchar"),
        ("min_position", "double"),
        ("max_position", "double"),
        ("competitor", "varchar"),
        ("authority_metric", "varchar"),
        ("filters", "varchar"),
        ("min_authority", "double"),
        ("tiers", "varchar[]"),
        ("followed_only", "boolean"),
        ("relevant_only", "boolean"),
        ("exclude_toxic", "boolean"),
        ("check_name", "varchar"),
    ],
}

assert [f.name for f in fields(KeyResultRow)] == [c for c, _ in _TABLES["config_key_results"]]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _config_rows(cfg: LinkokrConfig) -> dict[str, list[tuple[Any, ...]]]:
    s = cfg.settings
    settings = [
        (
            s.status_thresholds.on_track,
            s.status_thresholds.at_risk,
            s.status_grace_days,
            list(s.authority_priority),
            s.unranked_position,
            list(s.attribution_windows),
            s.lookback_days,
            s.stale_export_days,
        )
    ]
    own = {site.domain for site in cfg.sites}
    competitor_of: dict[str, list[str]] = {}
    for site in cfg.sites:
        for competitor in site.competitors:
            owners = competitor_of.setdefault(competitor, [])
            if site.domain not in owners:
                owners.append(site.domain)
    sites = [
        (
            site.domain,
            False,
            [],
            list(site.competitors),
            site.ga4_property_id,
            site.gsc_site_url,
            list(site.relevance_topics),
            list(site.disavow),
        )
        for site in cfg.sites
    ] + [
        (domain, True, owners, [], None, None, [], [])
        for domain, owners in competitor_of.items()
        if domain not in own
    ]
    page_groups = [
        (site.domain, group, pattern)
        for site in cfg.sites
        for group, patterns in site.page_groups.items()
        for pattern in dict.fromkeys(patterns)
    ]
    keyword_sets = [
        (site.domain, name, list(keyword_set.tags), list(keyword_set.keywords))
        for site in cfg.sites
        for name, keyword_set in site.keyword_sets.items()
    ]
    key_results = [astuple(row) for row in cfg.key_results()]
    return {
        "config_settings": settings,
        "config_sites": sites,
        "config_page_groups": page_groups,
        "config_keyword_sets": keyword_sets,
        "config_key_results": key_results,
    }


def write_config_tables(con: duckdb.DuckDBPyConnection, cfg: LinkokrConfig) -> dict[str, int]:
    """Replace the `raw.config_*` tables with `cfg`, all in one transaction; rows per table.

    Replace, not append: a key result removed from the file must disappear from the marts.
    """
    rows = _config_rows(cfg)
    counts: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists raw")
        for table, columns in _TABLES.items():
            name = f"raw.{_quoted(table)}"
            column_sql = ", ".join(f"{_quoted(column)} {type_}" for column, type_ in columns)
            con.execute(f"create or replace table {name} ({column_sql})")
            if rows[table]:
                placeholders = ", ".join("?" for _ in columns)
                con.executemany(f"insert into {name} values ({placeholders})", rows[table])
            counts[f"raw.{table}"] = len(rows[table])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info("wrote config tables: %s", counts)
    return counts
