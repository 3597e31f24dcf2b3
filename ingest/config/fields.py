"""The base model and the field types every part of `linkokr.yml` is made of.

Every model forbids unknown keys (a typo must fail loudly), NaN and infinity, and is frozen.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ingest.domains import registrable_domain

_ID = re.compile(r"^[a-z0-9_-]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


def accept_number_as_text(value: Any) -> Any:
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


def _valid_page_pattern(pattern: str) -> str:
    host = pattern.split("/", 1)[0]
    if "://" in pattern or host.startswith("www.") or host != host.lower():
        raise ValueError(
            f"expected a glob over pages (lowercase host without scheme or www., then the "
            f"path, e.g. 'acme.com/guides/*'), got {pattern!r}"
        )
    return pattern


def one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _clean_terms(values: list[str]) -> list[str]:
    # Keywords, tags and topics are compared lowercased and trimmed everywhere downstream.
    seen: dict[str, None] = {}
    for value in values:
        term = value.strip().lower()
        if term:
            seen.setdefault(term)
    return list(seen)


Id = Annotated[str, BeforeValidator(accept_number_as_text), AfterValidator(_valid_id)]
Domain = Annotated[str, AfterValidator(_valid_domain)]
Terms = Annotated[list[str], AfterValidator(_clean_terms)]
Text = Annotated[str, Field(min_length=1)]
PagePattern = Annotated[Text, AfterValidator(_valid_page_pattern)]
