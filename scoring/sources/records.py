"""What the mapping of one stream produces: its aligned target values, their origins and issues.

Shared by scoring.sources.transform (which fills a Record per stream) and scoring.sources.entities
(which turns Records into entity rows), so neither imports the other's module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.errors import Problem

Issue = tuple[int, int, Problem]  # (file order, line, problem): sorts problems as people read files


@dataclass(frozen=True)
class Origin:
    """Where a target's values come from: a file, a column (or a template), a line per row."""

    label: str
    column: str
    lines: np.ndarray
    via: str = ""

    def where(self, row: int) -> str:
        return f"{self.label}:{self.lines[row]}:{self.column}"

    def wheres(self) -> pd.Series:
        lines = pd.Series(self.lines, dtype="int64").astype("str")
        return (f"{self.label}:" + lines + f":{self.column}").astype(object)


@dataclass
class Record:
    """One stream's targets, aligned to the stream's rows."""

    stream: str
    order: int
    label: str
    lines: np.ndarray
    values: dict[str, pd.Series] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    failed: dict[str, np.ndarray] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.lines)

    def issue(self, target: str, row: int, message: str) -> Issue:
        origin = self.origins[target]
        return (self.order, int(origin.lines[row]), Problem(origin.where(row), message))

    def row_wheres(self) -> pd.Series:
        lines = pd.Series(self.lines, dtype="int64").astype("str")
        return (f"{self.label}:" + lines).astype(object)


def locate(frame: dict[str, pd.Series], record: Record, checked: dict[str, str]) -> None:
    """Add the row locators, and one per checked column (column -> the target it was read from)."""
    frame["_where"] = record.row_wheres()
    frame["_where_line"] = pd.Series(record.lines, dtype="int64")
    frame["_where_order"] = pd.Series([record.order] * record.size, dtype="int64")
    for column, target in checked.items():
        origin = record.origins.get(target)
        frame[f"_where_{column}"] = origin.wheres() if origin else frame["_where"]


def required(record: Record, target: str, rows: np.ndarray | None = None) -> list[Issue]:
    """An issue for each row (of `rows`, default all) where `target` is missing and did not fail."""
    values = record.values.get(target)
    if values is None:  # mapped, but from an optional column this source does not have
        problem = Problem(record.label, f"{target} is required but the source has no column for it")
        return [(record.order, 0, problem)]
    missing = values.isna().to_numpy(dtype=bool)
    if rows is not None:
        missing = missing & rows
    failed = record.failed.get(target)
    if failed is not None:
        missing = missing & ~failed
    via = record.origins[target].via
    return [
        record.issue(target, int(i), f"{target} is required{via}") for i in np.flatnonzero(missing)
    ]
