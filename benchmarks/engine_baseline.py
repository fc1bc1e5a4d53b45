"""The dense rule engine as it was before hit patterns: the baseline bench_scoring.py times.

Every predicate into a float32 (N x R) strength matrix and a float64 (N x D) decay matrix, then each
group a matrix-vector product over all N rows plus every special rule over all N rows. Kept only to
measure the engine against in the same run; scoring.rules is the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.rules.hits import decay_factor, evaluate
from scoring.rules.mqls import lead_thresholds, qualifies
from scoring.rules.scores import grades, plain_points, weight_vector
from scoring.rules.spec import GROUPS, Rulebook


@dataclass(frozen=True, eq=False)
class DenseHits:
    rulebook: Rulebook
    strength: np.ndarray  # float32 (N, R), Fortran order
    decay: np.ndarray  # float64 (N, D), Fortran order
    blocked: np.ndarray
    segment: np.ndarray
    peak: np.ndarray


def dense_hits(rulebook: Rulebook, features: pd.DataFrame) -> DenseHits:
    n = len(features)
    strength = np.zeros((n, len(rulebook.ordered)), dtype=np.float32, order="F")
    for position, rule in enumerate(rulebook.ordered):
        mask = evaluate(rule.when, features)
        if rule.per is None:
            strength[:, position] = mask.astype(np.float32)
        else:
            counts = features[rule.per].to_numpy(dtype=np.float32)
            strength[:, position] = np.where(mask, counts, np.float32(0))
    decay = np.zeros((n, len(rulebook.decayed)), dtype=np.float64, order="F")
    days = np.zeros_like(decay, order="F")
    for k, position in enumerate(rulebook.decayed):
        spec = rulebook.ordered[position].decay
        assert spec is not None
        days[:, k] = features[spec.since].to_numpy(dtype=np.float64)
        decay[:, k] = decay_factor(days[:, k], spec.half_life_days)
    failed = np.zeros((n, len(rulebook.gates)), dtype=bool)
    for g, gate in enumerate(rulebook.gates):
        failed[:, g] = ~evaluate(gate.require, features)
    segment = np.full(n, -1, dtype=np.int16)
    for index in reversed(range(len(rulebook.segments))):
        segment[evaluate(rulebook.segments[index].when, features)] = index
    peak = np.abs(strength).max(axis=0).astype(np.float64) if n else np.zeros(strength.shape[1])
    return DenseHits(rulebook, strength, decay, np.asarray(failed.any(axis=1)), segment, peak)


def _group(hits: DenseHits, w: np.ndarray, group: str) -> np.ndarray:
    book = hits.rulebook
    start, plain_end, end = book.blocks[group]
    raw = plain_points(
        hits.strength[:, start:plain_end], w[start:plain_end], hits.peak[start:plain_end]
    )
    for position in range(plain_end, end):
        if hits.peak[position] == 0:
            continue
        rule = book.ordered[position]
        points = np.multiply(hits.strength[:, position], w[position], dtype=np.float64)
        if rule.decay is not None:
            points *= hits.decay[:, book.decayed.index(position)]
        if rule.cap is not None:
            np.clip(points, -rule.cap, rule.cap, out=points)
        raw += points
    cap = book.cap(group)
    if cap.min is None and cap.max is None:
        return raw
    adjustment = np.clip(
        raw, -np.inf if cap.min is None else cap.min, np.inf if cap.max is None else cap.max
    )
    adjustment -= raw
    raw += adjustment
    return raw


def dense_score(hits: DenseHits, weights: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """fit, engagement, total, grade, threshold and mql of every lead, as scoring.rules.score."""
    w = weight_vector(hits.rulebook, weights)
    fit, engagement = (_group(hits, w, group) for group in GROUPS)
    total = fit + engagement
    threshold = lead_thresholds(hits.rulebook, hits.segment)
    return {
        "fit": fit,
        "engagement": engagement,
        "total": total,
        "grade": grades(hits.rulebook, fit),
        "threshold": threshold,
        "mql": qualifies(total, threshold, hits.blocked),
    }
