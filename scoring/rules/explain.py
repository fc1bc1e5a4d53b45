"""Why a lead scored what it did: points per rule, group caps and failed gates, in plain English.

The lines of each group are added in exactly the order scoring.rules.scores sums them, so
`sum(fit lines) == fit` and `sum(engagement lines) == engagement` hold bit for bit, caps included:
a rule's own cap is applied inside its line (the text says so), a group cap is a line of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scoring.rules.faces import show
from scoring.rules.hits import Hits
from scoring.rules.mqls import qualifies
from scoring.rules.scores import grades, thresholds, weight_vector
from scoring.rules.spec import GROUPS, Rule


@dataclass(frozen=True)
class Line:
    """One contribution: a rule's points (rule set) or a group cap adjustment (rule None)."""

    group: str
    rule: str | None
    points: float
    text: str


@dataclass(frozen=True)
class Explanation:
    """A lead's score taken apart."""

    lead_id: int
    version: str
    lines: tuple[Line, ...]
    fit: float
    engagement: float
    total: float
    grade: str
    threshold: float
    failed_gates: tuple[tuple[str, str], ...]  # (gate id, what it requires)
    mql: bool

    def group_sum(self, group: str) -> float:
        total = 0.0
        for line in self.lines:
            if line.group == group:
                total += line.points
        return total

    def __str__(self) -> str:
        head = f"lead {self.lead_id}: score {show(round(self.total, 2))} (rulebook {self.version})"
        body = [f"  {line.points:+8.2f}  [{line.group}] {line.text}" for line in self.lines]
        sums = (
            f"  fit {show(round(self.fit, 2))} (grade {self.grade}) + engagement "
            f"{show(round(self.engagement, 2))} = {show(round(self.total, 2))}"
        )
        gates = [f"  gate {gid} fails: requires {text}" for gid, text in self.failed_gates]
        # "MQL" is a stage a lead is moved to; the score alone only says whether it qualifies.
        verdict = "qualifies by score and gates" if self.mql else "does not qualify"
        tail = f"  {verdict}: threshold {show(self.threshold)}" + (
            ", gates failed" if gates else ""
        )
        return "\n".join([head, *body, sums, *gates, tail])


def _rule_text(
    rule: Rule, strength: float, weight: float, decay: float | None, points: float
) -> str:
    amount = f"{show(weight)} points"
    if rule.per is not None:
        amount = f"{show(strength)} x {amount}"
    if rule.decay is not None and decay is not None:
        amount += f" x {decay:.3f} decay (half-life {show(rule.decay.half_life_days)} days)"
    if rule.cap is not None and points != strength * weight * (1.0 if decay is None else decay):
        amount += f", capped at {show(rule.cap)}"
    return f"{rule.id}: {rule.english()} ({amount})"


def _group_lines(hits: Hits, row: int, weights: np.ndarray, group: str) -> tuple[list[Line], float]:
    rulebook = hits.rulebook
    start, _, end = rulebook.blocks[group]
    lines, raw = [], 0.0
    strengths = hits.strength_rows(slice(row, row + 1))[0]
    factors = hits.decay_rows(slice(row, row + 1))[0]
    for position in range(start, end):
        rule, strength = rulebook.ordered[position], float(strengths[position])
        if strength == 0.0:
            continue
        decay = float(factors[rulebook.decayed.index(position)]) if rule.decay else None
        points = strength * float(weights[position])
        if decay is not None:
            points = points * decay
        if rule.cap is not None:
            points = min(max(points, -rule.cap), rule.cap)
        raw += points
        text = _rule_text(rule, strength, float(weights[position]), decay, points)
        lines.append(Line(group, rule.id, points, text))
    cap = rulebook.cap(group)
    clipped = min(
        max(raw, cap.min if cap.min is not None else -np.inf),
        cap.max if cap.max is not None else np.inf,
    )
    if clipped != raw:
        bound = "maximum" if clipped < raw else "minimum"
        lines.append(
            Line(
                group,
                None,
                clipped - raw,
                f"{group} {bound} {show(clipped)} (raw {show(round(raw, 2))})",
            )
        )
    return lines, raw + (clipped - raw)


def explain(hits: Hits, lead_id: int, weights: Mapping[str, float] | None = None) -> Explanation:
    """Explain one lead of the hit matrix under the rulebook's (or the given) weights."""
    rulebook, row = hits.rulebook, hits.row(lead_id)
    w = weight_vector(rulebook, weights)
    lines: list[Line] = []
    totals = {}
    for group in GROUPS:
        group_lines, totals[group] = _group_lines(hits, row, w, group)
        lines += group_lines
    fit, engagement = totals["fit"], totals["engagement"]
    total = fit + engagement
    threshold = float(thresholds(rulebook, hits.segment[row : row + 1])[0])
    failed = tuple((g.id, g.english()) for i, g in enumerate(rulebook.gates) if hits.failed[row, i])
    return Explanation(
        lead_id=int(lead_id),
        version=rulebook.version,
        lines=tuple(lines),
        fit=fit,
        engagement=engagement,
        total=total,
        grade=rulebook.grades[int(grades(rulebook, np.array([fit]))[0])][0],
        threshold=threshold,
        failed_gates=failed,
        mql=bool(qualifies(np.array([total]), np.array([threshold]), np.array([bool(failed)]))[0]),
    )
