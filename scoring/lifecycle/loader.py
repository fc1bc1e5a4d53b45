"""Read `data/lifecycle.yaml` into a checked Contract, reporting every problem with its line at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring.errors import ContractError, Problem
from scoring.lifecycle.checks import check_contract
from scoring.lifecycle.contract import (
    ANY_STAGE,
    DEFAULT_CONTRACT,
    Contract,
    Fact,
    Guard,
    Stage,
    Transition,
)
from scoring.lifecycle.paths import read_paths
from scoring.located_yaml import Key, LocatedDocument, load_located, parse_located
from scoring.reasons import Vocabulary

TOP_KEYS = ("version", "stages", "facts", "guards", "transitions", "paths")
STAGE_KEYS = ("label", "description", "initial", "terminal", "sla_business_days")
GUARD_KEYS = ("kind", "field", "minimum", "values")
TRANSITION_KEYS = ("from", "to", "guards")


class _Reader:
    """Turns the located YAML into contract values; shape problems are collected, never raised."""

    def __init__(self, doc: LocatedDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def report(self, path: tuple[Key, ...], message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def mapping(self, value: Any, path: tuple[Key, ...], keys: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report(path, "expected a mapping")
            return {}
        for key in value:
            if key not in keys:
                self.report(
                    (*path, key), f"unknown key {key!r} (expected one of {', '.join(keys)})"
                )
        return value

    def contract(self) -> Contract:
        top = self.mapping(self.doc.data, (), TOP_KEYS)
        version = top.get("version")
        if not isinstance(version, str | int | float) or str(version) == "":
            self.report(("version",), "the contract needs a version (a string)")
        stages = self.stages(top.get("stages"))
        guards = self.guards(top.get("guards"))
        transitions = self.transitions(top.get("transitions"), stages, guards)
        paths, problems = read_paths(
            top.get("paths"),
            self.doc,
            {s.name for s in stages},
            {(t.source, t.target) for t in transitions},
        )
        self.problems += problems
        return Contract(
            version=str(version or ""),
            stages=stages,
            transitions=transitions,
            guards=tuple(guards.values()),
            facts=self.facts(top.get("facts")),
            source=self.doc.source,
            paths=paths,
        )

    def stages(self, raw: Any) -> tuple[Stage, ...]:
        if not raw:
            self.report(("stages",), "the contract needs a 'stages' mapping")
        stages = []
        for name, spec in self.mapping(raw, ("stages",), tuple(raw or ())).items():
            item = self.mapping(spec, ("stages", name), STAGE_KEYS)
            flags = {
                flag: self.flag(item, ("stages", name, flag)) for flag in ("initial", "terminal")
            }
            sla = self.sla(item.get("sla_business_days"), ("stages", name, "sla_business_days"))
            stages.append(
                Stage(
                    name=str(name),
                    label=str(item.get("label") or name),
                    description=str(item.get("description") or ""),
                    sla_business_days=sla,
                    **flags,
                )
            )
        return tuple(stages)

    def sla(self, value: Any, path: tuple[Key, ...]) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.report(path, f"an SLA is a positive whole number of business days, not {value!r}")
            return None
        return value

    def flag(self, item: dict[str, Any], path: tuple[Key, ...]) -> bool:
        value = item.get(str(path[-1]), False)
        if not isinstance(value, bool):
            self.report(path, "expected true or false")
            return False
        return value

    def facts(self, raw: Any) -> tuple[Fact, ...]:
        items = self.mapping(raw, ("facts",), tuple(raw or ()) if isinstance(raw, dict) else ())
        return tuple(Fact(str(name), str(help or "")) for name, help in items.items())

    def guards(self, raw: Any) -> dict[str, Guard]:
        names = tuple(raw or ()) if isinstance(raw, dict) else ()
        guards = {}
        for name, spec in self.mapping(raw, ("guards",), names).items():
            path: tuple[Key, ...] = ("guards", name)
            item = self.mapping(spec, path, GUARD_KEYS)
            if not isinstance(item.get("kind"), str):
                self.report(path, "a guard needs a 'kind'")
            values = item.get("values") or ()
            if not isinstance(values, list | tuple):
                self.report((*path, "values"), "expected a list")
                values = ()
            guards[str(name)] = Guard(
                name=str(name),
                kind=str(item.get("kind") or ""),
                field=str(item.get("field") or ""),
                minimum=self.minimum(item.get("minimum"), (*path, "minimum")),
                values=tuple(str(v) for v in values),
            )
        return guards

    def minimum(self, value: Any, path: tuple[Key, ...]) -> float | str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        self.report(path, "expected a number or the name of a field")
        return None

    def transitions(
        self, raw: Any, stages: tuple[Stage, ...], guards: dict[str, Guard]
    ) -> tuple[Transition, ...]:
        if not isinstance(raw, list):
            self.report(("transitions",), "the contract needs a 'transitions' list")
            return ()
        found: list[Transition] = []
        for index, spec in enumerate(raw):
            path: tuple[Key, ...] = ("transitions", index)
            item = self.mapping(spec, path, TRANSITION_KEYS)
            target = item.get("to")
            if not isinstance(target, str):
                self.report(path, "a transition needs a 'to' stage")
                continue
            named = self.guard_refs(item.get("guards"), (*path, "guards"), guards)
            for source in self.sources(item.get("from"), target, stages, path):
                found.append(
                    Transition(source, target, named, item.get("from") == ANY_STAGE, index)
                )
        return tuple(found)

    def sources(
        self, raw: Any, target: str, stages: tuple[Stage, ...], path: tuple[Key, ...]
    ) -> list[str]:
        if raw == ANY_STAGE:
            return [s.name for s in stages if not s.terminal and s.name != target]
        if isinstance(raw, str):
            return [raw]
        if isinstance(raw, list) and raw and all(isinstance(s, str) for s in raw):
            return list(raw)
        self.report((*path, "from"), "'from' must be a stage, a list of stages or \"*\"")
        return []

    def guard_refs(
        self, raw: Any, path: tuple[Key, ...], guards: dict[str, Guard]
    ) -> tuple[Guard, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.report(path, "expected a list of guard names")
            return ()
        named = []
        for index, name in enumerate(raw):
            if name in guards:
                named.append(guards[name])
            else:
                known = ", ".join(guards) or "none declared"
                self.report((*path, index), f"unknown guard {name!r} (declared: {known})")
        return tuple(named)


def read_contract(doc: LocatedDocument, vocabulary: Vocabulary | None = None) -> Contract:
    """Build and check the contract in `doc`; raise ContractError listing every problem."""
    reader = _Reader(doc)
    contract = reader.contract()
    problems = reader.problems + check_contract(contract, doc, vocabulary)
    if problems:
        raise ContractError(problems, source=doc.source)
    return contract


def load_contract(
    path: Path | str = DEFAULT_CONTRACT, vocabulary: Vocabulary | None = None
) -> Contract:
    """Load and check a lifecycle contract file.

    With a `vocabulary`, reason codes named by the contract's guards must exist in it.
    Raises ContractError listing every problem, each with its file and line.
    """
    return read_contract(load_located(path, ContractError), vocabulary)


def parse_contract(
    text: str, source: str = "<contract>", vocabulary: Vocabulary | None = None
) -> Contract:
    """Like `load_contract`, from YAML text."""
    return read_contract(parse_located(text, source, ContractError), vocabulary)
