"""The objectives file (data/objectives.yaml): each objective's kind, target, window and error budget.

Every problem in the file is reported at once, each with its line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import DefinitionError, Problem
from scoring.located_yaml import LocatedDocument, load_located, parse_located


class ObjectivesError(DefinitionError):
    """The objectives file is invalid."""


# kind -> (the target fields it needs, what it measures)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "mql_volume": (("min", "max"), "MQLs per week inside the sales capacity band [min, max]"),
    "acceptance_sla": (
        ("min_share", "within_hours"),
        "share of MQLs accepted (reached sal) within `within_hours` is at least `min_share`",
    ),
    "disqualified_share": (
        ("max_share", "min_mqls"),
        "in every campaign with at least `min_mqls` new MQLs in the window, the share of them "
        "disqualified by sales is at most `max_share`",
    ),
    "handoff_lag": (
        ("max_minutes",),
        "p99 of the minutes from a handoff's queueing to its delivery to the CRM is at most "
        "`max_minutes` (an undelivered handoff counts with its wait so far)",
    ),
    "gate_failure_rate": (
        ("max_share", "min_leads"),
        "share of the leads decided in the window that fail a data-quality gate is at most "
        "`max_share` (windows with fewer than `min_leads` leads are not judged)",
    ),
    "score_drift": (
        ("max_psi", "min_leads"),
        "population stability index of the window's scores against the baseline (the window "
        "before the rulebook in force was published, else the window before) is at most `max_psi`",
    ),
    "model_calibration": (
        ("max_ece", "min_closed"),
        "expected calibration error of the model in force on the leads whose outcome became "
        "known in the window is at most `max_ece` (no data without a model or `min_closed` leads)",
    ),
}
_SHARES = {
    "acceptance_sla": "min_share",
    "disqualified_share": "max_share",
    "gate_failure_rate": "max_share",
    "model_calibration": "max_ece",
}
_COMMON = {"name", "kind", "window_days", "error_budget", "description"}


@dataclass(frozen=True)
class Objective:
    """One declared objective: `error_budget` is the share of windows (days) allowed to miss."""

    name: str
    kind: str
    window_days: int
    error_budget: float
    target: dict[str, float]
    description: str = ""


def _number(
    doc: LocatedDocument, path: tuple[Any, ...], value: Any, problems: list[Problem]
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(doc.problem(path, f"{path[-1]} must be a number, got {value!r}"))
        return 0.0
    if not math.isfinite(value):
        problems.append(doc.problem(path, f"{path[-1]} must be a finite number, got {value!r}"))
        return 0.0
    return float(value)


def _limits(
    doc: LocatedDocument,
    base: tuple[Any, ...],
    kind: str,
    item: dict[str, Any],
    target: dict[str, float],
    problems: list[Problem],
) -> tuple[Any, float]:
    """Check the window, the error budget and the target's own range."""
    window = item.get("window_days", 7)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        problems.append(
            doc.problem((*base, "window_days"), "window_days must be a whole number ≥ 1")
        )
    budget = _number(doc, (*base, "error_budget"), item.get("error_budget", 0.1), problems)
    if not 0 <= budget < 1:
        problems.append(doc.problem((*base, "error_budget"), "error_budget must be in [0, 1)"))
    if kind == "mql_volume" and target.get("min", 0) > target.get("max", 0):
        problems.append(doc.problem((*base, "min"), "min must not exceed max"))
    share = _SHARES.get(kind)
    if share is not None and not 0 <= target.get(share, 0) <= 1:
        problems.append(doc.problem((*base, share), f"{share} must be in [0, 1]"))
    for positive in ("min_mqls", "max_minutes", "max_psi", "min_leads", "min_closed"):
        if target.get(positive, 1) <= 0:
            problems.append(doc.problem((*base, positive), f"{positive} must be above 0"))
    return window, budget


def _objective(
    doc: LocatedDocument, index: int, item: Any, problems: list[Problem]
) -> Objective | None:
    base: tuple[Any, ...] = ("objectives", index)
    if not isinstance(item, dict):
        problems.append(doc.problem(base, "each objective must be a mapping"))
        return None
    before = len(problems)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        problems.append(doc.problem(base, "objective needs a `name`"))
    kind = item.get("kind")
    if kind not in KINDS:
        problems.append(
            doc.problem((*base, "kind"), f"kind {kind!r} is not one of {', '.join(KINDS)}")
        )
        return None
    needed, _ = KINDS[kind]
    for key in sorted(set(item) - _COMMON - set(needed)):
        problems.append(doc.problem((*base, key), f"unknown field {key!r} for kind {kind}"))
    target = {}
    for key in needed:
        if key not in item:
            problems.append(doc.problem(base, f"kind {kind} needs `{key}`"))
        else:
            known = len(problems)
            value = _number(doc, (*base, key), item[key], problems)
            if len(problems) == known:  # a wrong number is reported once, not checked further
                target[key] = value
    window, budget = _limits(doc, base, kind, item, target, problems)
    if len(problems) > before:
        return None
    return Objective(str(name), kind, int(window), budget, target, str(item.get("description", "")))


def _build(doc: LocatedDocument) -> list[Objective]:
    problems: list[Problem] = []
    data = doc.data
    items = data.get("objectives") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ObjectivesError([doc.problem((), "the file needs an `objectives:` list")], doc.source)
    objectives = [_objective(doc, i, item, problems) for i, item in enumerate(items)]
    seen: set[str] = set()
    for index, objective in enumerate(objectives):
        if objective is not None and objective.name in seen:
            problems.append(
                doc.problem(("objectives", index, "name"), f"duplicate name {objective.name!r}")
            )
        if objective is not None:
            seen.add(objective.name)
    if problems:
        raise ObjectivesError(problems, doc.source)
    return [o for o in objectives if o is not None]


def parse_objectives(text: str, source: str = "objectives.yaml") -> list[Objective]:
    """Objectives from YAML text; raises ObjectivesError listing every problem with its line."""
    return _build(parse_located(text, source, ObjectivesError))


def load_objectives(path: Path | str) -> list[Objective]:
    """Objectives from a file; raises ObjectivesError listing every problem with its line."""
    return _build(load_located(path, ObjectivesError))
