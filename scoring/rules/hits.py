"""Evaluate every predicate ONCE into the rule-hit matrix; everything else re-uses it.

    hits = evaluate_hits(rulebook, leads)    # the only place operators run
    scores = score(hits, {"demo_request": 40})   # re-weighting: no predicate is evaluated again

The matrix is kept compact: `hit` is bool (N x R, column-major, columns in `rulebook.ordered`),
`amount` the occurrence counts of the `per` rules (float32, exact below 2**24) and `days` the days
each decayed rule counts from (the feature frame's own arrays). `strength` (float32: 1/0 for a
plain rule, the count for a `per` rule) and `decay` (float64 factors 2**(-days/half_life), so
decayed points agree with the SQL engines to ~1e-15 rather than float32's ~1e-7) are derived from
them on first use, or for the rows asked for by `strength_rows` / `decay_rows`. A new half-life
therefore gives the very factors a fresh evaluation of the tuned rulebook gives. Scoring reads
`weighting` (scoring.rules.patterns): distinct hit patterns per group, the rows of special rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.errors import DataError, Problem
from scoring.features.custom import kind_of
from scoring.features.frame import as_category
from scoring.rules.mqls import lead_thresholds
from scoring.rules.operators import OPERATORS
from scoring.rules.patterns import Plain, Weighting, plain_patterns, weighting
from scoring.rules.spec import Predicate, Rule, Rulebook

THRESHOLDS_KEPT = 4


def counted(rulebook: Rulebook) -> tuple[int, ...]:
    """Positions (in `ordered`) of the `per` rules, whose strength is a count kept in `amount`."""
    return tuple(i for i, rule in enumerate(rulebook.ordered) if rule.per is not None)


@dataclass(frozen=True, eq=False)
class Hits:
    """The rule-hit matrix of N leads under one rulebook, plus gate failures and segments."""

    rulebook: Rulebook
    lead_ids: np.ndarray  # int64 (N,)
    hit: np.ndarray  # bool (N, R), Fortran order, columns = rulebook.ordered
    amount: np.ndarray  # float32 (N, C): strength of each `per` rule, columns = counted(rulebook)
    failed: np.ndarray  # bool (N, G): gate g does NOT hold for lead i
    blocked: np.ndarray  # bool (N,): some gate fails (the lead cannot become an MQL)
    segment: np.ndarray  # int16 (N,): first matching segment, -1 for none
    peak: np.ndarray  # float64 (R,): largest strength per column (bounds exact float32 sums)
    days: tuple[np.ndarray, ...]  # float64 (N,) each: the days each decay counts from, per decayed

    def __len__(self) -> int:
        return len(self.lead_ids)

    def row(self, lead_id: int) -> int:
        """Position of `lead_id`; raises DataError when the lead is not in the matrix."""
        found = np.flatnonzero(self.lead_ids == lead_id)
        if not len(found):
            raise DataError([Problem(f"lead {lead_id}", "not among the scored leads")])
        return int(found[0])

    def strength_rows(self, rows: slice | np.ndarray) -> np.ndarray:
        """float32 (n, R) strengths of `rows`: 1/0 for a plain rule, the count for a `per` rule."""
        strength = np.asfortranarray(self.hit[rows], dtype=np.float32)
        for k, position in enumerate(counted(self.rulebook)):
            strength[:, position] = self.amount[rows, k]
        return strength

    def decay_rows(self, rows: slice | np.ndarray) -> np.ndarray:
        """float64 (n, D) decay factors of `rows` under the rulebook's half-lives."""
        factors = np.zeros((len(self.lead_ids[rows]), len(self.days)), order="F")
        for k, position in enumerate(self.rulebook.decayed):
            spec = self.rulebook.ordered[position].decay
            assert spec is not None  # decayed positions are exactly the rules with a decay
            factors[:, k] = decay_factor(self.days[k][rows], spec.half_life_days)
        return factors

    @cached_property
    def strength(self) -> np.ndarray:
        """float32 (N, R), Fortran order: every lead's strengths (built on first use)."""
        return self.strength_rows(slice(None))

    @cached_property
    def decay(self) -> np.ndarray:
        """float64 (N, D), Fortran order: every lead's decay factors (built on first use)."""
        return self.decay_rows(slice(None))

    @cached_property
    def segment_index(self) -> np.ndarray:
        """`segment` as positions (intp; -1 reads the default after the segments' thresholds)."""
        return self.segment.astype(np.intp)

    def thresholds(self, rulebook: Rulebook) -> np.ndarray:
        """Every lead's MQL threshold under `rulebook` (mqls.lead_thresholds), read-only, kept
        for the last few threshold settings: a re-weight leaves the thresholds as they were."""
        key = (*(s.threshold for s in rulebook.segments), rulebook.threshold)
        cache = self._thresholds
        if key not in cache:
            per_lead = lead_thresholds(rulebook, self.segment_index)
            per_lead.flags.writeable = False
            while len(cache) >= THRESHOLDS_KEPT:
                cache.pop(next(iter(cache)))
            cache[key] = per_lead
        return cache[key]

    @cached_property
    def _thresholds(self) -> dict[tuple[float, ...], np.ndarray]:
        return {}

    @cached_property
    def plain_patterns(self) -> Plain:
        """Per group: each lead's plain hit pattern code and the distinct patterns."""
        return plain_patterns(self.rulebook, self.hit)

    @cached_property
    def weighting(self) -> Weighting:
        """What re-weighting reads: distinct plain hit patterns, rows of each special rule."""
        return weighting(
            self.rulebook,
            self.hit,
            self.peak,
            self.plain_patterns,
            self._special_strength,
            self._decay_at,
        )

    def retuned(self, rulebook: Rulebook, failed: np.ndarray) -> Hits:
        """The same hits under `rulebook`, the same rules with other points, half-lives, caps or
        thresholds (column order unchanged), and `failed` of its gates. No predicate runs, and
        the plain hit patterns already found are kept."""
        retuned = dataclasses.replace(
            self, rulebook=rulebook, failed=failed, blocked=np.asarray(failed.any(axis=1))
        )
        if "plain_patterns" in self.__dict__:  # filled by cached_property on first use
            retuned.__dict__["plain_patterns"] = self.__dict__["plain_patterns"]
        return retuned

    def _special_strength(self, position: int, rows: np.ndarray) -> np.ndarray:
        positions = counted(self.rulebook)
        if position in positions:
            return self.amount[rows, positions.index(position)]
        return np.ones(len(rows), dtype=np.float32)

    def _decay_at(self, position: int, rows: np.ndarray) -> np.ndarray | None:
        rule = self.rulebook.ordered[position]
        if rule.decay is None:
            return None
        k = self.rulebook.decayed.index(position)
        return decay_factor(self.days[k][rows], rule.decay.half_life_days)


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


def _amount(rule: Rule, mask: np.ndarray, features: pd.DataFrame) -> np.ndarray:
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
        np.putmask(segment, evaluate(rulebook.segments[index].when, features), index)
    return segment


def evaluate_hits(rulebook: Rulebook, features: pd.DataFrame) -> Hits:
    """Run every rule, gate and segment predicate once over the feature frame."""
    _check_columns(rulebook, features)
    n = len(features)
    hit = np.zeros((n, len(rulebook.ordered)), dtype=bool, order="F")
    peak = np.zeros(len(rulebook.ordered))
    amount = np.zeros((n, len(counted(rulebook))), dtype=np.float32, order="F")
    k = 0
    for position, rule in enumerate(rulebook.ordered):
        hit[:, position] = evaluate(rule.when, features)
        if rule.per is not None:
            amount[:, k] = _amount(rule, hit[:, position], features)
            peak[position] = float(np.abs(amount[:, k]).max()) if n else 0.0
            k += 1
        else:
            peak[position] = float(hit[:, position].any())
    days = []  # the frame's own columns where they are float64 already: no copy
    for position in rulebook.decayed:
        spec = rulebook.ordered[position].decay
        assert spec is not None  # decayed positions are exactly the rules with a decay
        days.append(features[spec.since].to_numpy(dtype=np.float64))
    failed = np.zeros((n, len(rulebook.gates)), dtype=bool, order="F")
    for g, gate in enumerate(rulebook.gates):
        failed[:, g] = ~evaluate(gate.require, features)
    return Hits(
        rulebook=rulebook,
        lead_ids=features["lead_id"].to_numpy(dtype=np.int64),
        hit=hit,
        amount=amount,
        failed=failed,
        blocked=np.asarray(failed.any(axis=1)),
        segment=_segments(rulebook, features),
        peak=peak,
        days=tuple(days),
    )
