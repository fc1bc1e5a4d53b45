"""Definition checks of a lifecycle contract: each returns the problems it finds, with their lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from difflib import get_close_matches

from scoring.errors import Problem
from scoring.lifecycle.contract import Contract, Guard, Transition
from scoring.lifecycle.guards import BUILTIN_FIELDS, GUARD_KINDS, REASON_FIELDS
from scoring.lifecycle.stages import LIFECYCLE_STAGES
from scoring.located_yaml import LocatedDocument
from scoring.reasons import Vocabulary

DISQUALIFIED = "disqualified"

Check = Callable[[Contract, LocatedDocument], Iterator[Problem]]


def _at(t: Transition, key: str) -> tuple[str, int, str]:
    return ("transitions", t.entry, key)


def _edges(contract: Contract) -> list[tuple[str, str]]:
    known = set(contract.stage_names)
    return [(t.source, t.target) for t in contract.transitions if {t.source, t.target} <= known]


def _reach(starts: Iterable[str], edges: list[tuple[str, str]]) -> set[str]:
    seen = set(starts)
    frontier = list(seen)
    while frontier:
        stage = frontier.pop()
        for source, target in edges:
            if source == stage and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def _database_stages(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    for name in contract.stage_names:
        if name not in LIFECYCLE_STAGES:
            known = ", ".join(LIFECYCLE_STAGES)
            yield doc.problem(("stages", name), f"unknown stage {name!r} (stages: {known})")


def _transition_stages(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    known = set(contract.stage_names)
    for t in contract.transitions:
        for key, name in (("from", t.source), ("to", t.target)):
            if name not in known:
                message = f"unknown stage {name!r} (declared: {', '.join(contract.stage_names)})"
                yield doc.problem(_at(t, key), message)
        if t.source == t.target:
            yield doc.problem(_at(t, "to"), f"stage {t.source!r} cannot move to itself")


def _duplicates(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for t in contract.transitions:
        if (t.source, t.target) in seen:
            yield doc.problem(_at(t, "to"), f"{t.source} -> {t.target} is declared twice")
        seen.add((t.source, t.target))


def _unreachable(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    starts = contract.initial_stages
    if not starts:
        yield doc.problem(
            ("stages",), "no initial stage: mark where contacts enter (initial: true)"
        )
        return
    reached = _reach(starts, _edges(contract))
    for name in contract.stage_names:
        if name not in reached:
            entry = ", ".join(starts)
            yield doc.problem(("stages", name), f"stage {name!r} is unreachable from {entry}")


def _traps(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    ends = contract.terminal_stages
    if not ends:
        yield doc.problem(("stages",), "no terminal stage: mark where the lifecycle ends")
        return
    backwards = [(target, source) for source, target in _edges(contract)]
    leads_out = _reach(ends, backwards)
    for stage in contract.stages:
        if stage.terminal or stage.name in leads_out:
            continue
        why = (
            "has no way out"
            if not contract.exits(stage.name)
            else f"no path from it reaches a terminal stage ({', '.join(ends)})"
        )
        message = f"stage {stage.name!r} is a trap: it is not terminal and {why}"
        yield doc.problem(("stages", stage.name), message)


def _terminal_exits(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    terminal = set(contract.terminal_stages)
    for t in contract.transitions:
        if t.source in terminal:
            message = f"terminal stage {t.source!r} cannot have a way out (-> {t.target})"
            yield doc.problem(_at(t, "from"), message)


def _terminal_slas(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    for stage in contract.stages:
        if stage.terminal and stage.sla_business_days is not None:
            path = ("stages", stage.name, "sla_business_days")
            yield doc.problem(path, f"terminal stage {stage.name!r} cannot have an SLA")


def _guard_params(guard: Guard) -> dict[str, bool]:
    return {
        "field": bool(guard.field),
        "minimum": guard.minimum is not None,
        "values": bool(guard.values),
    }


def _guard_kinds(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    for guard in contract.guards:
        kind = GUARD_KINDS.get(guard.kind)
        path = ("guards", guard.name)
        if kind is None:
            if guard.kind:
                known = ", ".join(GUARD_KINDS)
                yield doc.problem((*path, "kind"), f"unknown guard kind {guard.kind!r} ({known})")
            continue
        for param, given in _guard_params(guard).items():
            if given and param not in kind.params:
                yield doc.problem((*path, param), f"a {kind.name} guard takes no {param!r}")
            elif not given and param in kind.params:
                yield doc.problem(path, f"a {kind.name} guard needs {param!r}")


def _unknown_field(guard: Guard, name: str, known: set[str]) -> str:
    close = [k for k in sorted(known) if k.startswith(name)] or get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"guard {guard.name!r} reads unknown field {name!r}"
        f" (not a contact column, a declared fact or a built-in field){hint}"
    )


def _guard_fields(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    known = set(BUILTIN_FIELDS | contract.fact_names)
    for guard in contract.guards:
        kind = GUARD_KINDS.get(guard.kind)
        if kind is None:
            continue
        for param, name in (("field", guard.field), ("minimum", guard.minimum)):
            if param in kind.params and isinstance(name, str) and name and name not in known:
                yield doc.problem(("guards", guard.name, param), _unknown_field(guard, name, known))


def _fact_names(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    for fact in contract.facts:
        if fact.name in BUILTIN_FIELDS:
            message = f"fact {fact.name!r} has the name of a contact column or built-in field"
            yield doc.problem(("facts", fact.name), message)


def _disqualify_cites_reason(contract: Contract, doc: LocatedDocument) -> Iterator[Problem]:
    for t in contract.transitions:
        if t.target == DISQUALIFIED and all(g.kind != "reason_required" for g in t.guards):
            message = f"moving to {DISQUALIFIED} must cite a reason: add a reason_required guard"
            yield doc.problem(_at(t, "guards"), message)


CHECKS: tuple[Check, ...] = (
    _database_stages,
    _transition_stages,
    _duplicates,
    _unreachable,
    _traps,
    _terminal_exits,
    _terminal_slas,
    _guard_kinds,
    _guard_fields,
    _fact_names,
    _disqualify_cites_reason,
)


def check_reason_values(
    contract: Contract, doc: LocatedDocument, vocabulary: Vocabulary
) -> Iterator[Problem]:
    """`one_of` guards on a reason field may only name codes of the vocabulary."""
    for guard in contract.guards:
        if guard.kind == "one_of" and guard.field in REASON_FIELDS:
            for code in guard.values:
                if vocabulary.get(code) is None:
                    path = ("guards", guard.name, "values")
                    yield doc.problem(path, f"unknown reason code {code!r} in the vocabulary")


def check_contract(
    contract: Contract, doc: LocatedDocument, vocabulary: Vocabulary | None = None
) -> list[Problem]:
    """Every definition problem of `contract` (read from `doc`), each once, in check order."""
    problems = [p for check in CHECKS for p in check(contract, doc)]
    if vocabulary is not None:
        problems += check_reason_values(contract, doc, vocabulary)
    return list(dict.fromkeys(problems))
