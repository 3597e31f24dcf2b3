"""What validating one `linkokr.yml` has seen so far: the checks that reach beyond one key.

A key result names a page group, keyword set or competitor of its site and places milestones
in its objective's period; a site cannot compete with itself or with another own site; ids
must be unique and map to distinct Dagster check names. These checks are pydantic validators
too, with a `Scope` in the validation context (`LinkokrConfig` puts a fresh one there).

pydantic validates a model's fields in the order they are declared and a list's items in
order; each site, objective and key result says when it starts (`enter_*`), so the scope
knows where in the file a validator is, and a repeated id can name where it was first given.
A site's names are taken as written (`SiteSeen.written`): a typo in one page pattern must not
also make every reference to its group an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError, ValidationInfo, ValidatorFunctionWrapHandler
from pydantic_core import InitErrorDetails, PydanticCustomError

from ingest.config.fields import accept_number_as_text
from ingest.config.yaml_lines import Loc, display

SCOPE = "linkokr_scope"
_CHECK_NAME_OTHER = re.compile(r"[^A-Za-z0-9_]")


def check_name(kr_id: str) -> str:
    """The Dagster asset-check name of a key result (Dagster names allow only `[A-Za-z0-9_]`)."""
    return "kr_" + _CHECK_NAME_OTHER.sub("_", kr_id)


Problem = tuple[Loc, str, Any]  # (location relative to the validated value, message, value)


def _details(problems: Iterable[Problem]) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(
            type=PydanticCustomError("value_error", "{error}", {"error": message}),
            loc=loc,
            input=value,
        )
        for loc, message, value in problems
    ]


def raise_at(problems: Iterable[Problem]) -> None:
    """Raise every problem at once, each at its location inside the value being validated."""
    if details := _details(problems):
        raise ValidationError.from_exception_data("linkokr.yml", details)


def validate_also_reporting(
    handler: ValidatorFunctionWrapHandler, value: Any, problems: list[Problem]
) -> Any:
    """`handler(value)` in a wrap validator, with `problems` (found in `value` as written)
    reported together with the errors `handler` raises."""
    try:
        validated = handler(value)
    except ValidationError as exc:
        if not problems:
            raise
        raised = [
            InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx", {}))
            for e in exc.errors()
        ]
        raise ValidationError.from_exception_data(exc.title, raised + _details(problems)) from None
    raise_at(problems)
    return validated


def written_text(value: Any) -> str | None:
    """A name as written (an unquoted number counts as text), or None."""
    value = accept_number_as_text(value)
    return value if isinstance(value, str) else None


@dataclass
class SiteSeen:
    loc: Loc
    domain: str | None
    competitors: set[str]
    page_groups: set[str]
    keyword_sets: set[str]
    competitors_checked: set[str] = field(default_factory=set)
    objectives: int = 0

    @classmethod
    def written(cls, loc: Loc, site: Any) -> SiteSeen:
        """The site's domain and the names its key results may refer to, as written."""
        site = site if isinstance(site, dict) else {}
        competitors = site.get("competitors")
        return cls(
            loc,
            written_text(site.get("domain")),
            {c for c in competitors if isinstance(c, str)}
            if isinstance(competitors, list)
            else set(),
            *(
                set(names) if isinstance(names := site.get(key), dict) else set()
                for key in ("page_groups", "keyword_sets")
            ),
        )

    @property
    def where(self) -> str:
        return f" on site {self.domain!r}" if self.domain else ""

    def require(self, value: str, names: set[str], problem: str, none: str) -> None:
        """Raise `problem` when `value` is not one of this site's `names`."""
        if value not in names:
            expected = ", ".join(sorted(names)) or none
            raise ValueError(f"{problem}{self.where}; expected one of: {expected}")


@dataclass
class ObjectiveSeen:
    loc: Loc
    id: str | None = None
    # None while the period is invalid or reversed: milestones are then not placed in it.
    period: tuple[dt.date, dt.date] | None = None
    key_results: int = 0
    key_result_ids: dict[str, Loc] = field(default_factory=dict)


@dataclass
class Scope:
    # The domains of the own sites as written, for the competitor lists of every site.
    own_domains: set[str] = field(default_factory=set)
    site: SiteSeen | None = None
    objective: ObjectiveSeen | None = None
    key_result: Loc = ()
    milestone: dt.date | None = None  # the key result's latest milestone date
    _sites: int = 0
    _site_at: dict[str, Loc] = field(default_factory=dict)
    _objective_at: dict[str, Loc] = field(default_factory=dict)
    _check_names: dict[str, tuple[str, Loc]] = field(default_factory=dict)

    @staticmethod
    def of(info: ValidationInfo) -> Scope | None:
        context = info.context
        return context.get(SCOPE) if isinstance(context, dict) else None

    def enter_site(self, site: Any) -> None:
        self.site = SiteSeen.written(("sites", self._sites), site)
        self.objective = None
        self._sites += 1

    def enter_objective(self) -> None:
        if self.site is not None:
            self.objective = ObjectiveSeen((*self.site.loc, "objectives", self.site.objectives))
            self.site.objectives += 1

    def enter_key_result(self) -> None:
        if self.objective is not None:
            self.key_result = (*self.objective.loc, "key_results", self.objective.key_results)
            self.objective.key_results += 1
        self.milestone = None

    def claim_site(self, domain: str) -> None:
        if self.site is None:
            return
        if domain in self._site_at:
            raise ValueError(
                f"site {domain!r} is configured twice (also at {display(self._site_at[domain])})"
            )
        self._site_at[domain] = self.site.loc

    def check_competitor(self, competitor: str) -> list[str]:
        """What is wrong with `competitor` in the current site's list."""
        site = self.site
        if site is None:
            return []
        problems = []
        if competitor == site.domain:
            problems.append("a site cannot be its own competitor")
        elif competitor in self.own_domains:
            problems.append(
                f"{competitor!r} is configured as an own site; expected a competitor domain"
            )
        if competitor in site.competitors_checked:
            problems.append(f"competitor {competitor!r} is listed twice")
        site.competitors_checked.add(competitor)
        return problems

    def claim_objective(self, objective_id: str) -> None:
        if self.objective is None:
            return
        self.objective.id = objective_id
        loc = (*self.objective.loc, "id")
        if objective_id in self._objective_at:
            raise ValueError(
                f"objective id {objective_id!r} is already used at "
                f"{display(self._objective_at[objective_id])}; expected ids unique in the file"
            )
        self._objective_at[objective_id] = loc

    def claim_key_result(self, kr_id: str) -> None:
        objective = self.objective
        if objective is None or not self.key_result:
            return
        loc = (*self.key_result, "id")
        if kr_id in objective.key_result_ids:
            raise ValueError(
                f"key result id {kr_id!r} is already used at "
                f"{display(objective.key_result_ids[kr_id])}; expected ids unique in their "
                "objective"
            )
        objective.key_result_ids[kr_id] = loc
        if objective.id is None:
            return
        full_id = f"{objective.id}.{kr_id}"
        name = check_name(full_id)
        if name in self._check_names:
            other, other_loc = self._check_names[name]
            raise ValueError(
                f"key result {full_id!r} and {other!r} (at {display(other_loc)}) both map to the "
                f"Dagster check name {name!r}; expected ids that differ in more than '-' vs '_'"
            )
        self._check_names[name] = (full_id, loc)

    def place_milestone(self, when: dt.date) -> list[str]:
        """What is wrong with a milestone on `when` in the current key result."""
        problems = []
        period = self.objective.period if self.objective else None
        if period and not period[0] <= when <= period[1]:
            problems.append(
                f"expected a date inside the objective's period {period[0]} … {period[1]}, "
                f"got {when}"
            )
        if self.milestone and when <= self.milestone:
            problems.append(
                f"expected milestones in ascending date order, got {when} after {self.milestone}"
            )
        self.milestone = when
        return problems
