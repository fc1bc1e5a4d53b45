"""Evaluate every predicate ONCE into the rule-hit matrix; everything else re-uses it.

    hits = evaluate_hits(rulebook, leads)    # the only place operators run
    scores = score(hits, {"demo_request": 40})   # re-weighting: no predicate is evaluated again

`strength` is float32 (N x R, column-major, columns in `rulebook.ordered`): 1/0 for a plain rule, the
occurrence count for a `per` rule (exact in float32 below 2**24). Decay factors 2**(-days/half_life)
stay float64 in `decay` (N x D, one column per decayed rule) so the decayed points agree with the SQL
engines to ~1e-15 rather than float32's ~1e-7. The days they count from are kept in `days`, so a new
half-life recomputes the very factors a fresh evaluation of the tuned rulebook gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.errors import DataError, Problem
from scoring.features.custom import kind_of
from scoring.features.frame import as_category
from scoring.rules.operators import OPERATORS
from scoring.rules.spec import Predicate, Rule, Rulebook


@dataclass(frozen=True, eq=False)
class Hits:
    """The rule-hit matrix of N leads under one rulebook, plus gate failures and segments."""

    rulebook: Rulebook
    lead_ids: np.ndarray  # int64 (N,)
    strength: np.ndarray  # float32 (N, R), Fortran order, columns = rulebook.ordered
    decay: np.ndarray  # float64 (N, D), columns = rulebook.decayed
    failed: np.ndarray  # bool (N, G): gate g does NOT hold for lead i
    blocked: np.ndarray  # bool (N,): some gate fails (the lead cannot become an MQL)
    segment: np.ndarray  # int16 (N,): first matching segment, -1 for none
    peak: np.ndarray  # float64 (R,): largest strength per column (bounds exact float32 sums)
    days: np.ndarray | None = None  # float64 (N, D): the days each decay counts from (re-decay)

    def __len__(self) -> int:
        return len(self.lead_ids)

    def row(self, lead_id: int) -> int:
        """Position of `lead_id`; raises DataError when the lead is not in the matrix."""
        found = np.flatnonzero(self.lead_ids == lead_id)
        if not len(found):
            raise DataError([Problem(f"lead {lead_id}", "not among the scored leads")])
        return int(found[0])


def _column(features: pd.DataFrame, name: str) -> pd.Series:
    values = features[name]
    if kind_of(name, values.dtype) == "category" and not isinstance(
        values.dtype, pd.CategoricalDtype
    ):
        return pd.Series(as_category(values), index=values.index)
    return values


def evaluate(predicate: Predicate, features: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows satisfying the predicate (missing values satisfy nothing)."""
    masks = [
        np.asarray(OPERATORS[c.op].evaluate(_column(features, c.column), c.value), dtype=bool)
        for c in predicate.conditions
    ]
    join = np.logical_and if predicate.mode == "all" else np.logical_or
    return join.reduce(masks) if len(masks) > 1 else masks[0]


def _strength(rule: Rule, mask: np.ndarray, features: pd.DataFrame) -> np.ndarray:
    if rule.per is None:
        return mask.astype(np.float32)
    counts = features[rule.per].to_numpy(dtype=np.float32)
    return np.where(mask, counts, np.float32(0))


DECAY_HORIZON = 600.0
"""After this many half-lives a strength is 0 (2**-600 ~ 1e-181), on every engine alike."""
DECAY_FRESH = 1e-300
"""Below this many half-lives (or negative days) the factor is exactly 1."""


def decay_factor(days: np.ndarray, half_life_days: float) -> np.ndarray:
    """2**(-days / half_life) in float64; 0 where days is missing (no evidence of recency).

    Clamped at both ends so the SQL faces never underflow or overflow (PostgreSQL raises on both).
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        factor = np.exp2(-days / half_life_days)
    factor = np.where(days > half_life_days * DECAY_HORIZON, 0.0, factor)
    factor = np.where(days < half_life_days * DECAY_FRESH, 1.0, factor)
    return np.where(np.isnan(days), 0.0, factor)


def _check_columns(rulebook: Rulebook, features: pd.DataFrame) -> None:
    missing = sorted(rulebook.columns - set(features.columns))
    if "lead_id" not in features.columns:
        missing.insert(0, "lead_id")
    if missing:
        raise DataError([Problem("features", f"missing column {name!r}") for name in missing])
    wrong = [
        Problem(column, f"the rulebook reads a {kind} column; the data holds a {found} column")
        for column, kind in rulebook.custom
        if (found := kind_of(column, features[column].dtype)) != kind
    ]
    if wrong:
        raise DataError(wrong, source="custom fields")


def _segments(rulebook: Rulebook, features: pd.DataFrame) -> np.ndarray:
    segment = np.full(len(features), -1, dtype=np.int16)
    for index in reversed(range(len(rulebook.segments))):  # first match wins: assign last to first
        segment[evaluate(rulebook.segments[index].when, features)] = index
    return segment


def evaluate_hits(rulebook: Rulebook, features: pd.DataFrame) -> Hits:
    """Run every rule, gate and segment predicate once over the feature frame."""
    _check_columns(rulebook, features)
    n = len(features)
    strength = np.zeros((n, len(rulebook.ordered)), dtype=np.float32, order="F")
    for position, rule in enumerate(rulebook.ordered):
        strength[:, position] = _strength(rule, evaluate(rule.when, features), features)
    decay = np.zeros((n, len(rulebook.decayed)), dtype=np.float64, order="F")
    days = np.zeros_like(decay, order="F")
    for k, position in enumerate(rulebook.decayed):
        spec = rulebook.ordered[position].decay
        assert spec is not None  # decayed positions are exactly the rules with a decay
        days[:, k] = features[spec.since].to_numpy(dtype=np.float64)
        decay[:, k] = decay_factor(days[:, k], spec.half_life_days)
    failed = np.zeros((n, len(rulebook.gates)), dtype=bool)
    for g, gate in enumerate(rulebook.gates):
        failed[:, g] = ~evaluate(gate.require, features)
    peak = np.abs(strength).max(axis=0).astype(np.float64) if n else np.zeros(strength.shape[1])
    return Hits(
        rulebook=rulebook,
        lead_ids=features["lead_id"].to_numpy(dtype=np.int64),
        strength=strength,
        decay=decay,
        failed=failed,
        blocked=np.asarray(failed.any(axis=1)),
        segment=_segments(rulebook, features),
        peak=peak,
        days=days,
    )
