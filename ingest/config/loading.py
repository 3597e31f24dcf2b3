"""`load_config`: read `linkokr.yml`, validate it, and report every problem with its line.

pydantic reports where a problem is as a location (`sites`, 0, `objectives`, ...) and what it is
as an error type; here each becomes a `ConfigProblem` a person can act on: the line from the
YAML line map, the key path, and "expected ..." in words.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Discriminator, ValidationError

from ingest.config.metrics import KEY_RESULT_KEYS, KeyResultBase, key_result_model, misplaced_key
from ingest.config.models import LinkokrConfig
from ingest.config.yaml_lines import ConfigError, ConfigProblem, Lines, Loc, display, read_yaml

log = logging.getLogger(__name__)


def load_config(path: Path) -> LinkokrConfig:
    """Read and validate `linkokr.yml`; raise ConfigError listing every problem with its line."""
    path = Path(path)
    data, lines = read_yaml(path)
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
    found.extend(lines.duplicate_problems())
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


def _is_tagged_union(tp: Any) -> bool:
    return get_origin(tp) is Annotated and any(
        isinstance(meta, Discriminator) for meta in tp.__metadata__
    )


def _unwrap(tp: Any) -> Any:
    """`tp` without Annotated and Optional; a key result's tagged union is kept."""
    while not _is_tagged_union(tp):
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            tp = [a for a in get_args(tp) if a is not type(None)][0]
        else:
            return tp
    return tp


def _walk(loc: Loc) -> tuple[Loc, type[BaseModel] | None, str | None]:
    """pydantic's `loc` as a key path: without the union tags (a key result's metric) that
    pydantic puts in it; with the model holding the path's last key, and the last tag."""
    path: list[str | int] = []
    holder: type[BaseModel] | None = None
    tag: str | None = None
    tp: Any = LinkokrConfig
    for part in loc:
        tp = _unwrap(tp)
        if _is_tagged_union(tp):
            tag = str(part)
            tp = _unwrap(key_result_model(tag))
            continue
        path.append(part)
        holder = tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None
        if holder is not None:
            field = holder.model_fields.get(str(part))
            tp = field.annotation if field else None
        elif get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        else:
            tp = None
    return tuple(path), holder, tag


def _unknown_key(holder: type[BaseModel] | None, key: str, metric: str | None) -> str:
    allowed = list(holder.model_fields) if holder else []
    if holder is not None and issubclass(holder, KeyResultBase):
        misplaced = misplaced_key(key, metric or "")
        if misplaced:
            return misplaced
        allowed = list(KEY_RESULT_KEYS)
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; expected one of: {', '.join(allowed)}"


def _problem_from_pydantic(error: Any, lines: Lines) -> ConfigProblem:
    loc, holder, tag = _walk(tuple(part for part in error["loc"] if part != "[key]"))
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        message = "required key is missing"
    elif kind == "extra_forbidden":
        message = _unknown_key(holder, str(loc[-1]), tag)
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
    return ConfigProblem(lines.line(loc), display(loc), message)
