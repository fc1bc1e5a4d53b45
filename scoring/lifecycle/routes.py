"""Routes through the lifecycle contract: the shortest chain of declared transitions between stages.

A route is what a batch of moves records when a source states only where a contact ended up (a
won deal, a CRM stage): every step of it is a transition the contract declares. Routes are
computed once per contract (breadth-first, transitions in file order break ties).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from scoring.lifecycle.contract import Contract

Route = tuple[str, ...]
"""The stages entered, in order; a route from no stage starts with an entry (initial) stage."""


@dataclass(frozen=True)
class Routes:
    """The direct move and the shortest route between every pair of stages (None: no stage yet)."""

    direct: dict[tuple[str | None, str], Route]
    shortest: dict[tuple[str | None, str], Route]


def _shortest_from(contract: Contract, starts: tuple[str, ...]) -> dict[str, Route]:
    """Shortest route from any of `starts` (in order of preference) to every reachable stage."""
    known = set(contract.stage_names)
    found: dict[str, Route] = {stage: (stage,) for stage in starts}
    queue = deque(starts)
    while queue:
        stage = queue.popleft()
        for transition in contract.exits(stage):
            target = transition.target
            if target in known and target not in found:
                found[target] = (*found[stage], target)
                queue.append(target)
    return found


def entry_order(contract: Contract, prefer: str | None = None) -> tuple[str, ...]:
    """The contract's entry stages, `prefer` first when it is one of them."""
    initial = contract.initial_stages
    return (prefer, *(s for s in initial if s != prefer)) if prefer in initial else initial


@lru_cache(maxsize=16)
def routes(contract: Contract, prefer: str | None = None) -> Routes:
    """Every declared move and every shortest route of `contract`.

    From no stage (a new contact) the direct moves are the entry stages and the shortest route
    starts at the entry stage nearest the target (`prefer` wins a tie). From a stage, the route
    is the stages after it, so `route[-1]` is always the target.
    """
    direct: dict[tuple[str | None, str], Route] = {
        (t.source, t.target): (t.target,) for t in contract.transitions
    }
    direct.update({(None, stage): (stage,) for stage in contract.initial_stages})
    shortest: dict[tuple[str | None, str], Route] = {
        (None, target): route
        for target, route in _shortest_from(contract, entry_order(contract, prefer)).items()
    }
    for source in contract.stage_names:
        for target, route in _shortest_from(contract, (source,)).items():
            if target != source:
                shortest[(source, target)] = route[1:]
    return Routes(direct, shortest)
