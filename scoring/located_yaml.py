"""Read YAML while remembering where every value came from, so definition errors name their line.

doc = load_located(path)
doc.data                      # plain Python (dicts, lists, scalars), as yaml.safe_load gives
doc.where(("rules", 3, "op")) # "data/rulebook.yaml:42" — line of that key (or its nearest parent)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import DefinitionError, Problem

Key = str | int


@dataclass(frozen=True)
class LocatedDocument:
    """Parsed YAML plus the 1-based line of every mapping key and sequence item."""

    data: Any
    source: str
    lines: dict[tuple[Key, ...], int] = field(default_factory=dict)

    def line(self, path: Sequence[Key]) -> int:
        """Line of `path`, falling back to its closest located parent (1 for the document)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def where(self, path: Sequence[Key]) -> str:
        return f"{self.source}:{self.line(path)}"

    def problem(self, path: Sequence[Key], message: str) -> Problem:
        return Problem(self.where(path), message)


def _walk(node: yaml.Node, path: tuple[Key, ...], lines: dict[tuple[Key, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)


def parse_located(
    text: str, source: str, error: type[DefinitionError] = DefinitionError
) -> LocatedDocument:
    """Parse `text`; a YAML syntax error becomes `error` naming the source and line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise error([Problem(where, f"invalid YAML: {exc.problem}")], source=source) from exc
    lines: dict[tuple[Key, ...], int] = {}
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines)
    return LocatedDocument(data, source, lines)


def load_located(
    path: Path | str, error: type[DefinitionError] = DefinitionError
) -> LocatedDocument:
    """Read and parse a YAML file; a missing file or bad syntax raises `error` with its location."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(
            [Problem(source, f"cannot read: {exc.strerror or exc}")], source=source
        ) from exc
    return parse_located(text, source, error)
