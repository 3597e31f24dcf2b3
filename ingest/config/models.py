"""The models of `linkokr.yml`: settings, sites with their competitors, page groups and keyword
sets, objectives with their key results (ingest/config/metrics.py). Every check is a pydantic
validator; the ones that reach beyond one key use the validation `Scope` (ingest/config/scope.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from ingest.config.fields import (
    Domain,
    Id,
    Model,
    PagePattern,
    Terms,
    Text,
    accept_number_as_text,
    one_or_many,
)
from ingest.config.metrics import AUTHORITY_METRICS, AuthorityMetric, KeyResult
from ingest.config.scope import (
    SCOPE,
    Problem,
    Scope,
    raise_at,
    validate_also_reporting,
    written_text,
)
from ingest.config.tables import KeyResultRow, key_result_row

# What to do while the config has sites but no key result (the first config a user writes):
# `linkokr status` and the dashboard say the same.
ADD_KEY_RESULTS_HINT = "add objectives with key_results under a site (see the example linkokr.yml)"


def _listed_twice(values: Any) -> list[Problem]:
    """The items of a list (as written) that repeat an earlier one."""
    if not isinstance(values, list):
        return []
    return [
        ((j,), f"{value!r} is listed twice", value)
        for j, value in enumerate(values)
        if isinstance(value, str | int)
        and value in [v for v in values[:j] if isinstance(v, str | int)]
    ]


class StatusThresholds(Model):
    on_track: float = Field(strict=True, default=0.9, gt=0)
    at_risk: float = Field(strict=True, default=0.7, gt=0, validate_default=True)

    @field_validator("at_risk")
    @classmethod
    def _at_risk_below_on_track(cls, value: float, info: ValidationInfo) -> float:
        on_track = info.data.get("on_track")
        if on_track is not None and value > on_track:
            raise ValueError(f"expected at_risk ({value:g}) <= on_track ({on_track:g})")
        return value


class Settings(Model):
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
    # The first day the day-partitioned API sources (GA4, Search Console, Domain Rating) can be
    # pulled for; unset, it follows from the objectives (orchestration.partitions.history_start).
    history_start: dt.date | None = None

    @field_validator("authority_priority", "attribution_windows", mode="wrap")
    @classmethod
    def _each_once(cls, values: Any, handler: ValidatorFunctionWrapHandler) -> list[Any]:
        return validate_also_reporting(handler, values, _listed_twice(values))


class Period(Model):
    start: dt.date
    end: dt.date

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and start > end:
            raise ValueError(f"expected end ({end}) on or after start ({start})")
        return end


class Objective(Model):
    id: Id
    title: Text
    period: Period
    owner: Text | None = None
    key_results: list[KeyResult] = []

    @model_validator(mode="before")
    @classmethod
    def _enter(cls, data: Any, info: ValidationInfo) -> Any:
        if scope := Scope.of(info):
            scope.enter_objective()
        return data

    @field_validator("id")
    @classmethod
    def _id_unique(cls, value: str, info: ValidationInfo) -> str:
        if scope := Scope.of(info):
            scope.claim_objective(value)
        return value

    @field_validator("period")
    @classmethod
    def _period_for_milestones(cls, period: Period, info: ValidationInfo) -> Period:
        if (scope := Scope.of(info)) and scope.objective:
            scope.objective.period = (period.start, period.end)
        return period


class KeywordSet(Model):
    tags: Terms = []
    keywords: Terms = []

    @model_validator(mode="wrap")
    @classmethod
    def _not_empty(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> KeywordSet:
        # As written: a set of blank terms is not empty, it only cleans to nothing.
        empty = isinstance(data, dict) and not (data.get("tags") or data.get("keywords"))
        problem = ((), "expected `tags` or `keywords` (a keyword set cannot be empty)", data)
        return validate_also_reporting(handler, data, [problem] if empty else [])


def _competitor_of_this_site(competitor: str, info: ValidationInfo) -> str:
    if scope := Scope.of(info):
        raise_at(((), problem, competitor) for problem in scope.check_competitor(competitor))
    return competitor


Competitor = Annotated[Domain, AfterValidator(_competitor_of_this_site)]
PageGroups = dict[
    Text, Annotated[list[PagePattern], BeforeValidator(one_or_many), Field(min_length=1)]
]


class Site(Model):
    domain: Domain
    ga4_property_id: Annotated[Text, BeforeValidator(accept_number_as_text)] | None = None
    gsc_site_url: Text | None = None
    competitors: list[Competitor] = []
    relevance_topics: Terms = []
    disavow: Terms = []
    # Words that make an anchor branded; the domain name without its suffix always counts.
    brand_terms: Terms = []
    page_groups: PageGroups = {}
    keyword_sets: dict[Text, KeywordSet] = {}
    objectives: list[Objective] = []

    @model_validator(mode="before")
    @classmethod
    def _enter(cls, data: Any, info: ValidationInfo) -> Any:
        if scope := Scope.of(info):
            scope.enter_site(data)
        return data

    @field_validator("domain")
    @classmethod
    def _configured_once(cls, domain: str, info: ValidationInfo) -> str:
        if scope := Scope.of(info):
            scope.claim_site(domain)
        return domain


class LinkokrConfig(Model):
    settings: Settings = Settings()
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="wrap")
    @classmethod
    def _in_scope(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> LinkokrConfig:
        """Validate with a fresh `Scope` in the context, whoever asked for the validation."""
        if Scope.of(info) is not None:
            return handler(data)
        context = dict(info.context) if isinstance(info.context, dict) else {}
        return cls.model_validate(data, context={**context, SCOPE: Scope()})

    @field_validator("sites", mode="before")
    @classmethod
    def _own_domains(cls, sites: Any, info: ValidationInfo) -> Any:
        if (scope := Scope.of(info)) and isinstance(sites, list):
            written = (written_text(site.get("domain")) for site in sites if isinstance(site, dict))
            scope.own_domains = {domain for domain in written if domain}
        return sites

    def key_results(self) -> list[KeyResultRow]:
        return [
            key_result_row(site, objective, kr)
            for site in self.sites
            for objective in site.objectives
            for kr in objective.key_results
        ]
