"""Scores from the hit matrix and a weight vector: caps, groups, grade, gates, MQL.

Per group the points are summed in one fixed order that every consumer repeats: the block of plain
rules (a float32 matrix-vector product when all its weights are whole numbers and the sum stays
below 2**24, so it is exact; otherwise a float64 running sum in column order), then each special
rule in column order (per-occurrence x points x decay, clipped to +-cap), then the group cap as an
explicit adjustment `raw + (clip(raw) - raw)`. An explanation adds its lines in the same order and
therefore reproduces the score bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import ConfigError
from scoring.rules.hits import Hits
from scoring.rules.mqls import at_threshold, lead_thresholds, qualifies
from scoring.rules.spec import GROUPS, Rulebook

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
    """Points of one capped or decayed rule: strength x weight x decay, clipped to +-cap."""
    rule = hits.rulebook.ordered[position]
    points = np.multiply(hits.strength[:, position], weight, dtype=np.float64)
    if rule.decay is not None:
        points *= hits.decay[:, hits.rulebook.decayed.index(position)]
    if rule.cap is not None:
        np.clip(points, -rule.cap, rule.cap, out=points)
    return points


def group_points(hits: Hits, weights: np.ndarray, group: str) -> np.ndarray:
    """Points of one group for every lead: plain block, specials in order, then the group cap."""
    start, plain_end, end = hits.rulebook.blocks[group]
    raw = plain_points(
        hits.strength[:, start:plain_end], weights[start:plain_end], hits.peak[start:plain_end]
    )
    for position in range(plain_end, end):
        if hits.peak[position] != 0:  # a rule that never hits adds exact zeros: skip it
            raw += special_points(hits, position, float(weights[position]))
    cap = hits.rulebook.cap(group)
    if cap.min is None and cap.max is None:
        return raw
    low = -np.inf if cap.min is None else cap.min
    high = np.inf if cap.max is None else cap.max
    adjustment = np.clip(raw, low, high)
    adjustment -= raw  # the explanation's "group cap" line, added like any other line
    raw += adjustment
    return raw


def grades(rulebook: Rulebook, fit: np.ndarray) -> np.ndarray:
    """Index into rulebook.grades of each lead's band: how many band minimums its fit misses."""
    grade = np.zeros(len(fit), dtype=np.int8)
    for _, minimum in rulebook.grades[:-1]:
        if minimum is not None:
            grade += fit < minimum
    return grade


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
    per_lead = thresholds(rulebook, hits.segment, threshold)
    names = [name for name, _ in rulebook.grades]
    return Scores(
        version=rulebook.version,
        lead_ids=hits.lead_ids,
        fit=fit,
        engagement=engagement,
        total=total,
        grade=pd.Categorical.from_codes(
            grades(rulebook, fit), dtype=pd.CategoricalDtype(names), validate=False
        ),
        threshold=per_lead,
        default_threshold=rulebook.threshold if threshold is None else float(threshold),
        failed=hits.failed,
        gate_ids=tuple(g.id for g in rulebook.gates),
        mql=qualifies(total, per_lead, hits.blocked),
    )
