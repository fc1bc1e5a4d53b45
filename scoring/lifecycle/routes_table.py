"""The contract's routes as arrays: stage codes, route ids per (from, to) and their flattened steps.

Built once per contract (cached); lets scoring.lifecycle.batch check a million moves with array
lookups instead of a Python loop per contact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from scoring.lifecycle.contract import Contract
from scoring.lifecycle.routes import Route, routes


@dataclass(frozen=True, eq=False)
class RouteTable:
    """Stage codes 0..S-1, S for "no stage yet", S+1 for a stage the contract does not know."""

    contract: Contract
    names: np.ndarray  # code -> stage name (None for no stage)
    direct: np.ndarray  # [from code, to code] -> route id, -1 for none
    shortest: np.ndarray
    length: np.ndarray  # route id -> number of steps
    offset: np.ndarray  # route id -> first step in step_from/step_to
    step_from: np.ndarray
    step_to: np.ndarray

    @property
    def none(self) -> int:
        return len(self.contract.stages)

    def codes(self, stages: np.ndarray, *, none: bool) -> np.ndarray:
        """Stage names as codes; missing values are "no stage" when `none`, else unknown."""
        known = {name: i for i, name in enumerate(self.contract.stage_names)}
        series = pd.Series(stages, dtype=object)
        missing = self.none if none else self.none + 1
        coded = series.map(known).where(series.notna(), missing)
        return coded.fillna(self.none + 1).to_numpy(dtype=np.int64)

    def refusal(
        self, source: int, target: int, from_name: object, to_name: object, implied: bool
    ) -> str:
        """The rule that refuses a move from `source` to `target` (codes; names as given)."""
        contract = self.contract
        head = f"contract {contract.version}: "
        if target > self.none:
            return head + f"unknown stage {to_name!r} (stages: {', '.join(contract.stage_names)})"
        if source > self.none:
            return head + f"the stored stage {from_name!r} is not a stage of the contract"
        if source == self.none:
            entries = " or ".join(contract.initial_stages)
            tail = f", and no route leads to {to_name}" if implied else f", not at {to_name}"
            return head + f"a new contact enters at {entries}{tail}"
        if from_name in contract.terminal_stages:
            return head + f"{from_name} is terminal: no transition leaves it"
        allowed = ", ".join(t.target for t in contract.exits(str(from_name))) or "none"
        route = " and no route leads there" if implied else ""
        return head + (
            f"no transition {from_name} -> {to_name}{route} (allowed from {from_name}: {allowed})"
        )

    def notes(
        self, checks: Sequence[Any], attested: Sequence[np.ndarray], implied: np.ndarray
    ) -> np.ndarray:
        """Each step's note: implied by a route, and which guards the source attests."""
        key = implied.astype(np.int64)
        for bit, mask in enumerate(attested, start=1):
            key = key | (mask.astype(np.int64) << bit)
        unique, inverse = np.unique(key, return_inverse=True)
        texts = np.array([self._note(int(k), checks) for k in unique], dtype=object)
        return texts[inverse] if len(key) else np.empty(0, dtype=object)

    @staticmethod
    def _note(key: int, checks: Sequence[Any]) -> str | None:
        parts = ["step of the contract's route to the stated stage"] if key & 1 else []
        names = [check.guard.name for bit, check in enumerate(checks, start=1) if key >> bit & 1]
        if names:
            parts.append("attested by the source: " + ", ".join(dict.fromkeys(names)))
        return "; ".join(parts) or None


def _ids(
    table: dict[tuple[str | None, str], Route], code: dict[str | None, int], size: int, routes: list
) -> np.ndarray:
    ids = np.full((size, size), -1, dtype=np.int64)
    for (source, target), route in table.items():
        if source in code and target in code:
            ids[code[source], code[target]] = len(routes)
            routes.append((code[source], [code[s] for s in route]))
    return ids


@lru_cache(maxsize=16)
def route_table(contract: Contract, prefer: str | None = None) -> RouteTable:
    """The arrays behind `routes(contract, prefer)`."""
    found = routes(contract, prefer)
    names = contract.stage_names
    code: dict[str | None, int] = {name: i for i, name in enumerate(names)}
    code[None] = len(names)
    size = len(names) + 2
    flat: list[tuple[int, list[int]]] = []
    direct = _ids(found.direct, code, size, flat)
    shortest = _ids(found.shortest, code, size, flat)
    length = np.array([len(stages) for _, stages in flat], dtype=np.int64)
    step_from = [[start, *stages[:-1]] for start, stages in flat]
    return RouteTable(
        contract=contract,
        names=np.array([*names, None, None], dtype=object),
        direct=direct,
        shortest=shortest,
        length=length,
        offset=np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64),
        step_from=np.array([s for steps in step_from for s in steps], dtype=np.int64),
        step_to=np.array([s for _, stages in flat for s in stages], dtype=np.int64),
    )
