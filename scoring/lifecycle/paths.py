"""`via` paths of the lifecycle contract: a jump a CRM makes in one step, walked stage by stage.

    paths:
      - {from: mql, to: sales_qualified, via: [sal]}

A CRM that moves a lead from mql straight to sales_qualified has skipped a stage the contract keeps.
A declared path lets that jump through: each step is an ordinary declared transition, with its own
guards and its own history row. The loader checks every step exists, so a path never opens a move
the transitions do not already allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from scoring.errors import Problem
from scoring.located_yaml import Key, LocatedDocument

PATH_KEYS = ("from", "to", "via")


@dataclass(frozen=True)
class ViaPath:
    """A jump `source` -> `target` walked through the stages `via`, in order."""

    source: str
    target: str
    via: tuple[str, ...]
    entry: int = field(default=0, compare=False)

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages entered, in order (the intermediate ones, then the target)."""
        return (*self.via, self.target)

    @property
    def steps(self) -> tuple[tuple[str, str], ...]:
        walk = (self.source, *self.stages)
        return tuple(pairwise(walk))


def read_paths(
    raw: Any, doc: LocatedDocument, stages: set[str], declared: set[tuple[str, str]]
) -> tuple[tuple[ViaPath, ...], list[Problem]]:
    """The contract's `paths`, and every problem with its line (unknown stages, undeclared steps)."""
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [doc.problem(("paths",), "'paths' must be a list of {from, to, via}")]
    found, problems = [], []
    for index, item in enumerate(raw):
        path: tuple[Key, ...] = ("paths", index)
        parsed, issues = _one(item, index, doc, path, stages, declared)
        problems += issues
        if parsed is not None and not issues:
            found.append(parsed)
    return tuple(found), problems


def _one(
    item: Any,
    index: int,
    doc: LocatedDocument,
    path: tuple[Key, ...],
    stages: set[str],
    declared: set[tuple[str, str]],
) -> tuple[ViaPath | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [doc.problem(path, "a path is a mapping with from, to and via")]
    problems = [
        doc.problem((*path, key), f"unknown key {key!r} (expected one of {', '.join(PATH_KEYS)})")
        for key in item
        if key not in PATH_KEYS
    ]
    source, target, via = item.get("from"), item.get("to"), item.get("via")
    if not isinstance(source, str) or not isinstance(target, str):
        return None, [*problems, doc.problem(path, "a path needs a 'from' and a 'to' stage")]
    if not isinstance(via, list) or not via or not all(isinstance(s, str) for s in via):
        return None, [*problems, doc.problem((*path, "via"), "'via' must list one stage or more")]
    walk = ViaPath(source, target, tuple(via), index)
    for name in (source, *walk.stages):
        if name not in stages:
            problems.append(doc.problem(path, f"unknown stage {name!r}"))
    if (source, target) in declared:
        problems.append(
            doc.problem(path, f"{source} -> {target} is a declared transition: no path needed")
        )
    for step in walk.steps:
        if step not in declared:
            problems.append(
                doc.problem(
                    (*path, "via"), f"step {step[0]} -> {step[1]} is not a declared transition"
                )
            )
    return walk, problems
