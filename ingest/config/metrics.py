"""The metric catalog, and a key result's keys as they depend on its metric.

The catalog lives here so that dbt (through `raw.config_key_results`), the Dagster checks and
the scoreboard agree on each metric's direction and unit. A key result is one model of a
discriminated union on `metric`: every key result takes the keys of `KeyResultBase`, and its
metric's family adds its own (`filters` on link and gap metrics, `competitor` on gap metrics,
`source` on rank metrics, `authority_metric` on domain_authority, the position range on
pages_in_position_range). A key its metric does not take is reported by `misplaced_key`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ingest.config.fields import Domain, Id, Model, Text
from ingest.config.scope import Scope, SiteSeen, raise_at


@dataclass(frozen=True)
class MetricInfo:
    direction: Literal["up", "down"]
    unit: Literal["score", "count", "position", "percent"]
    family: Literal["authority", "link", "gap", "rank", "traffic"]


METRICS: dict[str, MetricInfo] = {
    "domain_authority": MetricInfo("up", "score", "authority"),
    "referring_domains": MetricInfo("up", "count", "link"),
    "live_backlinks": MetricInfo("up", "count", "link"),
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
# A change against the day before the period: its baseline is 0 by definition.
CHANGE_METRICS = frozenset(m for m in METRICS if m.endswith("_change_pct"))
AUTHORITY_METRICS = ("ahrefs_dr", "moz_da", "semrush_as", "majestic_tf")
TIERS = ("tier_1", "tier_2", "tier_3", "tier_4", "toxic")
RANK_SOURCES = ("semrush", "ahrefs", "accuranker", "se_ranking", "generic", "gsc")
# Where a link sits on its page (docs/warehouse.md, "Placement") and the class of its anchor
# text (docs/config.md, "Anchor classes"): the values the `placements` and `anchor_types`
# filters take.
PLACEMENTS = ("contextual", "other", "redirect", "image", "sitewide", "unknown")
ANCHOR_TYPES = ("empty", "naked_url", "branded", "exact", "partial", "generic", "other")

AuthorityMetric = Literal["ahrefs_dr", "moz_da", "semrush_as", "majestic_tf"]
Tier = Literal["tier_1", "tier_2", "tier_3", "tier_4", "toxic"]
RankSource = Literal["semrush", "ahrefs", "accuranker", "se_ranking", "generic", "gsc"]
Placement = Literal["contextual", "other", "redirect", "image", "sitewide", "unknown"]
AnchorType = Literal["empty", "naked_url", "branded", "exact", "partial", "generic", "other"]
assert get_args(Placement) == PLACEMENTS and get_args(AnchorType) == ANCHOR_TYPES


def _metric_in_catalog(value: str) -> str:
    if value not in METRICS:
        close = difflib.get_close_matches(value, METRICS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"expected a metric from the catalog, got {value!r}{hint}; one of: {', '.join(METRICS)}"
        )
    return value


class Milestone(Model):
    date: dt.date
    value: float = Field(strict=True)

    @field_validator("date")
    @classmethod
    def _in_period_in_order(cls, when: dt.date, info: ValidationInfo) -> dt.date:
        if scope := Scope.of(info):
            raise_at(((), problem, when) for problem in scope.place_milestone(when))
        return when


class Filters(Model):
    min_authority: float | None = Field(strict=True, default=None, ge=0, le=100)
    tiers: list[Tier] | None = Field(strict=True, default=None, min_length=1)
    followed_only: bool = Field(strict=True, default=False)
    relevant_only: bool = Field(strict=True, default=False)
    exclude_toxic: bool = Field(strict=True, default=True)
    placements: list[Placement] | None = Field(strict=True, default=None, min_length=1)
    anchor_types: list[AnchorType] | None = Field(strict=True, default=None, min_length=1)


def _site(info: ValidationInfo) -> SiteSeen | None:
    scope = Scope.of(info)
    return scope.site if scope else None


class KeyResultBase(Model):
    """The keys every key result takes, whatever its metric."""

    # The metrics whose key results this model validates.
    metrics: ClassVar[frozenset[str]] = frozenset()

    id: Id
    metric: Annotated[str, AfterValidator(_metric_in_catalog)]
    target: float = Field(strict=True)
    title: Text | None = None
    owner: Text | None = None
    baseline: float | None = Field(strict=True, default=None)
    milestones: list[Milestone] = []
    page_group: Text | None = None
    keyword_set: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _enter(cls, data: Any, info: ValidationInfo) -> Any:
        if scope := Scope.of(info):
            scope.enter_key_result()
        return data

    @field_validator("id")
    @classmethod
    def _id_unique(cls, value: str, info: ValidationInfo) -> str:
        if scope := Scope.of(info):
            scope.claim_key_result(value)
        return value

    @field_validator("page_group")
    @classmethod
    def _page_group_defined(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (site := _site(info)) and value is not None:
            site.require(
                value, site.page_groups, f"page group {value!r} is not defined", "(none defined)"
            )
        return value

    @field_validator("keyword_set")
    @classmethod
    def _keyword_set_defined(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (site := _site(info)) and value is not None:
            site.require(
                value, site.keyword_sets, f"keyword set {value!r} is not defined", "(none defined)"
            )
        return value


# The keys a metric's family adds; a family model lists them before KeyResultBase, in the
# reverse of the order its fields take (pydantic collects fields from the last base first).


class _RankSourceKey(Model):
    source: RankSource | None = None


class _PositionRangeKeys(Model):
    min_position: float | None = Field(strict=True, default=None, ge=1)
    max_position: float | None = Field(strict=True, default=None, ge=1)

    @field_validator("max_position")
    @classmethod
    def _range_in_order(cls, value: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("min_position")
        if value is not None and low is not None and low > value:
            raise ValueError(f"expected max_position ({value:g}) >= min_position ({low:g})")
        return value


class _CompetitorKey(Model):
    competitor: Domain | None = None

    @field_validator("competitor")
    @classmethod
    def _competitor_listed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (site := _site(info)) and value is not None:
            site.require(
                value, site.competitors, f"{value!r} is not a competitor", "(no competitors listed)"
            )
        return value


class _AuthorityMetricKey(Model):
    authority_metric: AuthorityMetric | None = None


class _FiltersKey(Model):
    filters: Filters | None = None


def _family(family: str) -> frozenset[str]:
    return frozenset(m for m, info in METRICS.items() if info.family == family)


class DomainAuthorityKeyResult(_AuthorityMetricKey, KeyResultBase):
    metrics = _family("authority")


class LinkKeyResult(_FiltersKey, KeyResultBase):
    metrics = _family("link")


class GapKeyResult(_FiltersKey, _CompetitorKey, KeyResultBase):
    metrics = _family("gap")


class AveragePositionKeyResult(_RankSourceKey, KeyResultBase):
    metrics = _family("rank") - {"pages_in_position_range"}


class PositionRangeKeyResult(_PositionRangeKeys, _RankSourceKey, KeyResultBase):
    """Pages of a page group ranking between two positions: all three keys are required."""

    metrics = frozenset({"pages_in_position_range"})

    page_group: Text | None = Field(default=None, validate_default=True)
    min_position: float | None = Field(strict=True, default=None, ge=1, validate_default=True)
    max_position: float | None = Field(strict=True, default=None, ge=1, validate_default=True)

    @field_validator("page_group", "min_position", "max_position")
    @classmethod
    def _required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            metric = info.data.get("metric", "pages_in_position_range")
            raise ValueError(f"required key is missing (needed by metric {metric})")
        return value


class TrafficKeyResult(KeyResultBase):
    metrics = _family("traffic") - CHANGE_METRICS


class ChangeKeyResult(KeyResultBase):
    metrics = CHANGE_METRICS

    @field_validator("baseline")
    @classmethod
    def _baseline_zero(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value not in (None, 0.0):
            raise ValueError(
                f"expected 0 or no baseline: {info.data.get('metric')} is a change against the "
                f"day before the period, so its baseline is 0 by definition (got {value:g})"
            )
        return value


class UnknownMetricKeyResult(
    _FiltersKey,
    _AuthorityMetricKey,
    _CompetitorKey,
    _PositionRangeKeys,
    _RankSourceKey,
    KeyResultBase,
):
    """A key result whose metric is missing or not in the catalog: takes every key, so that the
    metric's error comes with the errors of its other keys."""


_FAMILIES: tuple[type[KeyResultBase], ...] = (
    DomainAuthorityKeyResult,
    LinkKeyResult,
    GapKeyResult,
    AveragePositionKeyResult,
    PositionRangeKeyResult,
    TrafficKeyResult,
    ChangeKeyResult,
)
KEY_RESULT_MODELS: dict[str, type[KeyResultBase]] = {
    metric: model for model in _FAMILIES for metric in sorted(model.metrics)
}
assert len(KEY_RESULT_MODELS) == sum(len(m.metrics) for m in _FAMILIES)
assert set(KEY_RESULT_MODELS) == set(METRICS), "every metric has exactly one key-result model"

# Every key a key result can take, in the order the 'unknown key' message lists them.
KEY_RESULT_KEYS: tuple[str, ...] = tuple(UnknownMetricKeyResult.model_fields)

# pydantic's union tag (in an error's location) of a key result without a catalog metric
UNKNOWN_METRIC = "unknown_metric"


def key_result_tag(value: Any) -> str:
    """The union member for `value`: its metric, or UNKNOWN_METRIC."""
    metric = value.get("metric") if isinstance(value, dict) else getattr(value, "metric", None)
    return metric if isinstance(metric, str) and metric in KEY_RESULT_MODELS else UNKNOWN_METRIC


def key_result_model(tag: str) -> type[KeyResultBase]:
    return KEY_RESULT_MODELS.get(tag, UnknownMetricKeyResult)


KeyResult = Annotated[
    Union[  # noqa: UP007 (built from the catalog at import time)
        tuple(Annotated[model, Tag(metric)] for metric, model in KEY_RESULT_MODELS.items())
        + (Annotated[UnknownMetricKeyResult, Tag(UNKNOWN_METRIC)],)
    ],
    Discriminator(key_result_tag),
]

# Where each key that only some metrics take is allowed, by the wording of its error.
_ONLY_ON = {
    "source": "a rank source applies to rank metrics only ({metrics})",
    "min_position": "only allowed on metric {metrics}",
    "max_position": "only allowed on metric {metrics}",
    "competitor": "only allowed on the gap metrics ({metrics})",
    "authority_metric": "only allowed on metric {metrics}",
    "filters": "filters apply to link and gap metrics only ({metrics}), not to {metric}",
}
assert set(_ONLY_ON) == set(KEY_RESULT_KEYS) - set(KeyResultBase.model_fields)


def misplaced_key(key: str, metric: str) -> str | None:
    """Why a key result on `metric` cannot take `key`; None for a key no key result takes."""
    if key not in _ONLY_ON:
        return None
    takers = sorted(m for m, model in KEY_RESULT_MODELS.items() if key in model.model_fields)
    return _ONLY_ON[key].format(metrics=", ".join(takers), metric=metric)
