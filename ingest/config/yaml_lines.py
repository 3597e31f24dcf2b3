"""`linkokr.yml` as YAML: the data, the line of every key and list item, and how a problem reads.

A problem names the file, the line a person has to fix and the key path from the top of the
file: `<file>:<line>: <key path>: <what was expected>`. The line comes from the composed YAML
node tree, so an error pydantic reports deep inside a key result still points at its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

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


def display(loc: Loc) -> str:
    """A key path as a person reads it: `sites[0].objectives[1].id`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


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


class Lines:
    """Line (1-based) of every key and list item, addressed by its path from the root.

    Walking the tree also retags every plain mapping key as text: YAML 1.1 would read a key
    `on:` or `no:` as a boolean and `2026:` as a number, and the error would then name a key
    the person never wrote.
    """

    def __init__(self, root: yaml.Node | None):
        self._lines: dict[tuple[str, ...], int] = {(): 1}
        # (path of the repeated key, its line, the line it was first given on)
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

    def duplicate_problems(self) -> list[ConfigProblem]:
        """A problem for every key given twice in the same mapping."""
        return [
            ConfigProblem(
                line,
                display(loc),
                f"duplicate key (first given on line {first}); each key may appear once",
            )
            for loc, line, first in self.duplicates
        ]


def _norm(loc: Loc) -> tuple[str, ...]:
    return tuple(str(part) for part in loc)


def read_yaml(path: Path) -> tuple[Any, Lines]:
    """The data in `path` and its line map; ConfigError when it cannot be read or parsed."""
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
        lines = Lines(node)
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
