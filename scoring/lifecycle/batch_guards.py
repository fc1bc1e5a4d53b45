"""Guards evaluated over arrays of steps: one vectorised test per guard kind, and the sentences of
the steps that fail (the scalar registry in scoring.lifecycle.guards says why, row by row)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from scoring.lifecycle.contract import Contract, Guard
from scoring.lifecycle.guards import GUARD_KINDS, REASON_FIELDS, describe, guard_fields
from scoring.lifecycle.routes_table import RouteTable
from scoring.reasons import Vocabulary

Scope = Literal["always", "contact", "fact"]
Columns = Mapping[str, np.ndarray]


def _present(guard: Guard, values: Columns, _active: frozenset[str]) -> np.ndarray:
    value = pd.Series(values[guard.field], dtype=object)
    return (value.notna() & (value != "")).to_numpy(dtype=bool)


def _one_of(guard: Guard, values: Columns, _active: frozenset[str]) -> np.ndarray:
    return pd.Series(values[guard.field], dtype=object).isin(guard.values).to_numpy(dtype=bool)


def _number(values: Columns, name: float | str | None, size: int) -> pd.Series:
    if isinstance(name, str):
        return pd.to_numeric(pd.Series(values[name], dtype=object), errors="coerce")
    return pd.Series(np.full(size, np.nan if name is None else float(name)))


def _at_least(guard: Guard, values: Columns, _active: frozenset[str]) -> np.ndarray:
    value = _number(values, guard.field, len(values[guard.field]))
    bound = _number(values, guard.minimum, len(value))
    return (value >= bound).to_numpy(dtype=bool)


def _empty(guard: Guard, values: Columns, _active: frozenset[str]) -> np.ndarray:
    value = pd.Series(values[guard.field], dtype=object)
    return value.map(lambda v: v is None or (isinstance(v, float) and v != v) or not v).to_numpy(
        dtype=bool
    )


def _reason(_guard: Guard, values: Columns, active: frozenset[str]) -> np.ndarray:
    return pd.Series(values["reason_code"], dtype=object).isin(active).to_numpy(dtype=bool)


VECTOR_TESTS: dict[str, Callable[[Guard, Columns, frozenset[str]], np.ndarray]] = {
    "present": _present,
    "one_of": _one_of,
    "at_least": _at_least,
    "empty": _empty,
    "reason_required": _reason,
}
"""Per guard kind: which of the given steps the guard holds for (same kinds as GUARD_KINDS)."""


def scope_of(contract: Contract, guard: Guard) -> Scope:
    """`always` for guards on reasons, `fact` for guards on facts, `contact` for the rest."""
    fields = set(guard_fields(guard))
    if guard.kind == "reason_required" or fields & REASON_FIELDS:
        return "always"
    if fields & contract.fact_names:
        return "fact"
    return "contact"


@dataclass(frozen=True, eq=False)
class GuardCheck:
    """One guard of one transition, over the steps (`rows`) that make that transition."""

    contract: Contract
    source: str | None
    target: str
    guard: Guard
    rows: np.ndarray
    scope: Scope

    @property
    def fields(self) -> tuple[str, ...]:
        return guard_fields(self.guard)

    @property
    def field(self) -> str:
        return "reason" if self.scope == "always" else "stage"

    def failing(
        self, values: Columns, evaluated: np.ndarray, vocabulary: Vocabulary
    ) -> tuple[np.ndarray, list[str]]:
        """Positions of the evaluated steps where the guard does not hold, and why for each."""
        positions = np.flatnonzero(evaluated)
        if not len(positions):
            return positions, []
        missing = [name for name in self.fields if name not in values]
        if missing:
            return positions, [self._rule(f"{', '.join(missing)} not supplied")] * len(positions)
        subset = {name: values[name][positions] for name in self.fields}
        holds = VECTOR_TESTS[self.guard.kind](self.guard, subset, vocabulary.active_codes)
        bad = positions[~holds]
        unmet = GUARD_KINDS[self.guard.kind].unmet
        reasons = [
            self._rule(unmet(self.guard, {n: values[n][i] for n in self.fields}, vocabulary))
            for i in bad
        ]
        return bad, reasons

    def _rule(self, why: str | None) -> str:
        return (
            f"contract {self.contract.version}: {self.source} -> {self.target} needs guard "
            f"{self.guard.name} ({describe(self.guard)}): {why or 'it does not hold'}"
        )


def guard_checks(
    contract: Contract, table: RouteTable, source: np.ndarray, target: np.ndarray
) -> list[GuardCheck]:
    """One check per guard of every transition the steps make (steps given as stage codes)."""
    width = table.none + 2
    pair = source * width + target
    checks = []
    for code in np.unique(pair):
        from_name, to_name = table.names[code // width], table.names[code % width]
        transition = contract.transition(from_name, to_name) if from_name else None
        if transition is None or not transition.guards:
            continue
        rows = pair == code
        for guard in transition.guards:
            if guard.kind in VECTOR_TESTS:
                scope = scope_of(contract, guard)
                checks.append(GuardCheck(contract, from_name, to_name, guard, rows, scope))
    return checks
