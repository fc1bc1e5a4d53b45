"""A problem-collecting reader over a located YAML document: shapes, numbers, ids and conditions.

Every check records a Problem with its file:line and returns None instead of raising, so the loader
walks the whole file and reports every mistake at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from scoring.errors import Problem
from scoring.features.columns import FEATURES, FeatureColumn
from scoring.features.custom import is_custom
from scoring.located_yaml import Key, LocatedDocument
from scoring.rules.arguments import is_number
from scoring.rules.operators import OPERATORS
from scoring.rules.spec import Condition, Predicate

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
Path = tuple[Key, ...]
LISTED = 20
"""Custom fields an unknown-column message names; `smarketing rules columns` lists them all."""
UNKNOWN_REPORTED = 20
SUGGEST_POOL = 1000
"""Unknown-column problems reported per file; the rest are counted in one more problem."""


def _suggest(name: str, known: Collection[str]) -> str:
    pool = list(known)
    if len(pool) > SUGGEST_POOL:  # the names closest in length: difflib is slow on thousands
        pool = sorted(pool, key=lambda candidate: abs(len(candidate) - len(name)))[:SUGGEST_POOL]
    close = difflib.get_close_matches(name, pool, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Reader:
    """Checks pieces of one document and keeps the problems found."""

    def __init__(
        self, doc: LocatedDocument, columns: Mapping[str, FeatureColumn] = FEATURES
    ) -> None:
        self.doc = doc
        self.columns = columns
        self.problems: list[Problem] = []
        self.custom_read: dict[str, str] = {}  # custom column -> kind, of every custom column named
        self.unknown = 0  # unknown columns named so far

    def problem(self, path: Sequence[Key], message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def mapping(
        self, value: Any, path: Path, *, allowed: Collection[str], required: Collection[str] = ()
    ) -> dict[str, Any] | None:
        """`value` as a mapping with only `allowed` keys and every `required` one."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {type(value).__name__}")
            return None
        for key in value:
            if key not in allowed:
                self.problem((*path, key), f"unknown key {key!r}{_suggest(str(key), allowed)}")
        for key in required:
            if key not in value:
                self.problem(path, f"missing required key {key!r}")
        return value

    def sequence(self, value: Any, path: Path, what: str) -> list[Any]:
        if not isinstance(value, list):
            self.problem(path, f"{what} must be a list, got {type(value).__name__}")
            return []
        return value

    def number(self, value: Any, path: Path, what: str, *, positive: bool = False) -> float | None:
        if not is_number(value):
            self.problem(path, f"{what} must be a number, got {value!r}")
            return None
        if positive and value <= 0:
            self.problem(path, f"{what} must be positive, got {value!r}")
            return None
        return value

    def text(self, value: Any, path: Path, what: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{what} must be a non-empty text, got {value!r}")
            return None
        return value

    def identifier(self, value: Any, path: Path, seen: dict[str, str], what: str) -> str | None:
        """A unique lower_snake id (it becomes a SQL column name)."""
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            self.problem(path, f"{what} id must be lower_snake_case (a-z, 0-9, _), got {value!r}")
            return None
        if value in seen:
            self.problem(path, f"duplicate {what} id {value!r} (first at {seen[value]})")
            return None
        seen[value] = self.doc.where(path)
        return value

    def column(self, value: Any, path: Path, kinds: Collection[str] | None = None) -> str | None:
        """A feature column name (built-in or `custom.<name>`), optionally of one of `kinds`."""
        if not isinstance(value, str) or value not in self.columns:
            self.unknown += 1
            if self.unknown <= UNKNOWN_REPORTED:
                self.problem(path, self._unknown(value))
            return None
        kind = self.columns[value].kind
        if kinds is not None and kind not in kinds:
            wanted = " or ".join(sorted(kinds))
            self.problem(path, f"{value} is a {kind} column; expected a {wanted} column")
            return None
        if is_custom(value):
            self.custom_read[value] = kind
        return value

    def _unknown(self, value: Any) -> str:
        """Unknown column, with the closest name and the columns a rule may name (the custom
        fields up to LISTED of them: a data set may declare hundreds)."""
        custom = [name for name in self.columns if is_custom(name)]
        listed = ", ".join(custom[:LISTED]) if custom else "none declared (see docs/rulebook.md)"
        if len(custom) > LISTED:
            listed += f" and {len(custom) - LISTED:,} more"
        builtin = len(self.columns) - len(custom)
        shown = repr(value) if len(repr(value)) <= 80 else f"{repr(value)[:80]}..."
        return (
            f"unknown column {shown}{_suggest(str(value)[:200], self.columns)}; "
            f"custom fields: {listed}; {builtin} built-in columns "
            "(docs/rulebook.md#feature-columns); list every column with `smarketing rules columns`"
        )

    def finish(self) -> None:
        """Count the unknown columns not reported one by one (after UNKNOWN_REPORTED)."""
        if self.unknown > UNKNOWN_REPORTED:
            more = self.unknown - UNKNOWN_REPORTED
            self.problem((), f"and {more:,} more unknown column(s), not listed one by one")

    def condition(self, raw: Any, path: Path) -> Condition | None:
        spec = self.mapping(raw, path, allowed=("column", "op", "value"), required=("column", "op"))
        if spec is None:
            return None
        column = self.column(spec.get("column"), (*path, "column")) if "column" in spec else None
        op_name = spec.get("op")
        if op_name is not None and op_name not in OPERATORS:
            self.problem(
                (*path, "op"), f"unknown operator {op_name!r}{_suggest(str(op_name), OPERATORS)}"
            )
            return None
        if column is None or op_name is None:
            return None
        operator, kind = OPERATORS[op_name], self.columns[column].kind
        if kind not in operator.kinds:
            applies = ", ".join(sorted(operator.kinds))
            self.problem(
                (*path, "op"), f"{op_name} does not apply to {column} ({kind}); it takes {applies}"
            )
            return None
        value, problem = operator.argument.check(spec.get("value"), kind)
        if problem:
            self.problem((*path, "value") if "value" in spec else path, f"{op_name}: {problem}")
            return None
        label = self.columns[column].label if is_custom(column) else ""
        return Condition(column, op_name, value, label)

    def predicate(self, raw: Any, path: Path) -> Predicate | None:
        """A condition, or `all:` / `any:` with a list of conditions."""
        if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("all", "any"):
            mode = next(iter(raw))
            items = self.sequence(raw[mode], (*path, mode), mode)
            if not items:
                self.problem((*path, mode), f"{mode} needs at least one condition")
            conditions = [self.condition(item, (*path, mode, i)) for i, item in enumerate(items)]
            if not items or None in conditions:
                return None
            return Predicate(tuple(c for c in conditions if c is not None), mode)
        condition = self.condition(raw, path)
        return None if condition is None else Predicate((condition,))
