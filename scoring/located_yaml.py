"""Read YAML while remembering where every value came from, so definition errors name their line.

doc = load_located(path)
doc.data                      # plain Python (dicts, lists, scalars), as yaml.safe_load gives
doc.where(("rules", 3, "op")) # "data/rulebook.yaml:42" — line of that key (or its nearest parent)

Definition files are small: a file over MAX_BYTES is refused before it is parsed, and aliases may
expand the document to at most MAX_NODES nodes; the alias that passes the limit is named with its
line (a "billion laughs" file is refused in milliseconds instead of expanding to gigabytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import DefinitionError, Problem

Key = str | int
MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000


class _Expansion(Exception):
    def __init__(self, line: int, anchor: str, nodes: int) -> None:
        self.line, self.anchor, self.nodes = line, anchor, nodes


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts the nodes of the document as aliases expand it."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.sizes: dict[int, int] = {}
        self.expanded = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            self.expanded += self.sizes.get(id(node), 1)
            if self.expanded > MAX_NODES:
                raise _Expansion(event.start_mark.line + 1, str(event.anchor), self.expanded)
            return node
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self.sizes.get(id(item), 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(
                self.sizes.get(id(k), 1) + self.sizes.get(id(v), 1) for k, v in node.value
            )
        else:
            size = 1
        self.sizes[id(node)] = size
        self.expanded += 1
        return node


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
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        message = f"the file has {size:,} bytes; a definition file may have at most {MAX_BYTES:,}"
        raise error([Problem(source, message)], source=source)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise error([Problem(where, f"invalid YAML: {exc.problem}")], source=source) from exc
    except _Expansion as exc:
        message = (
            f"alias *{exc.anchor} expands the document past {MAX_NODES:,} nodes; "
            "aliases may repeat a part, not multiply it"
        )
        raise error([Problem(f"{source}:{exc.line}", message)], source=source) from None
    finally:
        loader.dispose()
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
