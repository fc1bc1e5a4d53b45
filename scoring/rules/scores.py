"""Scores from the hit matrix and a weight vector: caps, groups, grade, gates, MQL.

Per group the points are summed in one fixed order that every consumer repeats: the block of plain
rules (a float32 matrix-vector product when all its weights are whole numbers and the sum stays
below 2**24, so it is exact; otherwise a float64 running sum in column order), then each special
rule in column order (per-occurrence x points x decay, clipped to +-cap), then the group cap as an
explicit adjustment `raw + (clip(raw) - raw)`. An explanation adds its lines in the same order and
therefore reproduces the score bit for bit.

The plain block is summed once per distinct hit pattern and gathered by each lead's pattern code,
special rules only on the rows they hit (scoring.rules.patterns): the same sums, row by row.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import ConfigError
from scoring.rules.hits import Hits
from scoring.rules.mqls import at_threshold, lead_thresholds, qualifies
from scoring.rules.spec import GROUPS, Rule, Rulebook

_EXACT_FLOAT32 = 2.0**24


def weight_vector(rulebook: Rulebook, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """Points per hit-matrix column: the rulebook's, with `weights` (rule id -> points) overriding."""
    overrides = dict(weights or {})
    unknown = sorted(set(overrides) - {r.id for r in rulebook.rules})
    if unknown:
        raise ConfigError(f"weights name unknown rules: {', '.join(unknown)}")
    return np.array(
        [float(overrides.get(r.id, r.points)) for r in rulebook.ordered], dtype=np.float64
    )


def plain_points(strength: np.ndarray, weights: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Sum of strength x weight over a block of plain columns, exactly where float32 allows."""
    n = strength.shape[0]
    if strength.shape[1] == 0:
        return np.zeros(n)
    whole = bool(np.all(weights == np.round(weights)))
    if whole and float(np.abs(weights) @ peak) < _EXACT_FLOAT32:
        return (strength @ weights.astype(np.float32)).astype(np.float64)
    total = np.zeros(n)
    for j in range(strength.shape[1]):
        total += strength[:, j].astype(np.float64) * weights[j]
    return total


def special_points(hits: Hits, position: int, weight: float) -> np.ndarray:
    """Points of one capped or decayed rule for every lead: strength x weight x decay, clipped."""
    rule = hits.rulebook.ordered[position]
    decay = hits.decay[:, hits.rulebook.decayed.index(position)] if rule.decay else None
    return _rule_points(rule, hits.strength[:, position], decay, weight)


def _rule_points(
    rule: Rule, strength: np.ndarray, decay: np.ndarray | None, weight: float
) -> np.ndarray:
    points = np.multiply(strength, weight, dtype=np.float64)
    if decay is not None:
        points *= decay
    if rule.cap is not None:
        np.minimum(points, rule.cap, out=points)  # clip(points, -cap, cap); points are never NaN
        np.maximum(points, -rule.cap, out=points)
    return points


def _capped(rulebook: Rulebook, group: str, raw: np.ndarray) -> np.ndarray:
    """`raw` plus the group cap as an explicit adjustment (in place), as an explanation adds it."""
    cap = rulebook.cap(group)
    if cap.min is None and cap.max is None:
        return raw
    low = -np.inf if cap.min is None else cap.min
    high = np.inf if cap.max is None else cap.max
    outside = np.less(raw, low)
    outside |= np.greater(raw, high)
    rows = np.flatnonzero(outside)  # elsewhere the adjustment is an exact 0
    beyond = raw[rows]
    adjustment = np.clip(beyond, low, high)
    adjustment -= beyond  # the explanation's "group cap" line, added like any other line
    raw[rows] = beyond + adjustment
    return raw


def pattern_points(hits: Hits, weights: np.ndarray, group: str) -> np.ndarray:
    """Plain points of each distinct pattern of the group (hits.weighting)."""
    start, plain_end, _ = hits.rulebook.blocks[group]
    plan = hits.weighting.groups[group]
    return plain_points(plan.patterns, weights[start:plain_end], hits.peak[start:plain_end])


def group_table(hits: Hits, weights: np.ndarray, group: str) -> np.ndarray | None:
    """Capped points of each distinct pattern, for a group without special rules (else None)."""
    plan = hits.weighting.groups[group]
    if plan.codes is None or plan.specials:
        return None
    return _capped(hits.rulebook, group, pattern_points(hits, weights, group))


def group_points(hits: Hits, weights: np.ndarray, group: str) -> np.ndarray:
    """Points of one group for every lead: plain block, specials in order, then the group cap."""
    rulebook = hits.rulebook
    start, plain_end, _ = rulebook.blocks[group]
    plan = hits.weighting.groups[group]
    if plan.codes is None:
        raw = plain_points(
            hits.strength[:, start:plain_end], weights[start:plain_end], hits.peak[start:plain_end]
        )
    else:  # capped once per pattern; the rows special rules touch are summed apart
        table = pattern_points(hits, weights, group)
        raw = np.take(_capped(rulebook, group, table.copy()), plan.codes)
        if plan.touched_codes is None or not plan.specials:
            return raw
        touched = np.take(table, plan.touched_codes)
        for special in plan.specials:
            rule, weight = rulebook.ordered[special.position], float(weights[special.position])
            touched[special.at] += _rule_points(rule, special.strength, special.decay, weight)
        raw[plan.touched] = _capped(rulebook, group, touched)
        return raw
    for special in plan.specials:
        rule, weight = rulebook.ordered[special.position], float(weights[special.position])
        raw[special.rows] += _rule_points(rule, special.strength, special.decay, weight)
    return _capped(rulebook, group, raw)


@functools.lru_cache(maxsize=64)
def _grade_dtype(names: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(names))


def grades(rulebook: Rulebook, fit: np.ndarray) -> np.ndarray:
    """Index into rulebook.grades of each lead's band: how many band minimums its fit misses."""
    grade = np.zeros(len(fit), dtype=np.int8)
    for _, minimum in rulebook.grades[:-1]:
        if minimum is not None:
            grade += fit < minimum
    return grade


def _lead_grades(hits: Hits, weights: np.ndarray, fit: np.ndarray) -> np.ndarray:
    table, codes = group_table(hits, weights, "fit"), hits.weighting.groups["fit"].codes
    if table is None or codes is None:
        return grades(hits.rulebook, fit)
    return np.take(grades(hits.rulebook, table), codes)  # each distinct fit graded once


def thresholds(rulebook: Rulebook, segment: np.ndarray, default: float | None = None) -> np.ndarray:
    """The MQL threshold of every lead: its segment's, else the default.

    With `default`, the default threshold is moved there and every segment moves with it
    (scoring.rules.mqls.at_threshold), as in the scoring lab and the rulebook it publishes.
    """
    return lead_thresholds(at_threshold(rulebook, default), segment)


@dataclass(frozen=True, eq=False)
class Scores:
    """Scores of N leads: fit, engagement, total, grade, threshold, failed gates, MQL decision."""

    version: str
    lead_ids: np.ndarray
    fit: np.ndarray
    engagement: np.ndarray
    total: np.ndarray
    grade: pd.Categorical[Any]
    threshold: np.ndarray  # per lead (segments)
    default_threshold: float
    failed: np.ndarray  # bool (N, G)
    gate_ids: tuple[str, ...]
    mql: np.ndarray

    def failed_gates(self) -> np.ndarray:
        """Comma-separated ids of the failed gates per lead ('' when all hold), as SQL gives them."""
        out = np.full(len(self.lead_ids), "", dtype=object)
        for g, gate_id in enumerate(self.gate_ids):
            out[self.failed[:, g]] += "," + gate_id
        return np.array([s[1:] for s in out], dtype=object)

    def frame(self) -> pd.DataFrame:
        """One row per lead: the columns `compile_rulebook` selects, plus threshold and version."""
        return pd.DataFrame(
            {
                "lead_id": self.lead_ids,
                "fit": self.fit,
                "engagement": self.engagement,
                "score": self.total,
                "grade": self.grade,
                "failed_gates": self.failed_gates(),
                "mql": self.mql,
                "threshold": self.threshold,
                "rulebook_version": self.version,
            }
        )


def score(
    hits: Hits, weights: Mapping[str, float] | None = None, *, threshold: float | None = None
) -> Scores:
    """Score every lead from the hit matrix; no predicate is evaluated.

    Args:
        hits: from evaluate_hits.
        weights: points per rule id overriding the rulebook's (a slider's values).
        threshold: moves the default MQL threshold there; segment thresholds keep their distance.
    """
    rulebook = hits.rulebook
    w = weight_vector(rulebook, weights)
    fit, engagement = (group_points(hits, w, group) for group in GROUPS)
    total = fit + engagement
    per_lead = hits.thresholds(at_threshold(rulebook, threshold))
    grade = _lead_grades(hits, w, fit)
    return Scores(
        version=rulebook.version,
        lead_ids=hits.lead_ids,
        fit=fit,
        engagement=engagement,
        total=total,
        grade=pd.Categorical.from_codes(
            grade, dtype=_grade_dtype(tuple(name for name, _ in rulebook.grades)), validate=False
        ),
        threshold=per_lead,
        default_threshold=rulebook.threshold if threshold is None else float(threshold),
        failed=hits.failed,
        gate_ids=tuple(g.id for g in rulebook.gates),
        mql=qualifies(total, per_lead, hits.blocked),
    )
