"""Threshold what-if: sort once, then answer any threshold with a binary search.

    index = ThresholdIndex.from_scores(scores, accepted=accepted, won=won, created_at=created)
    index.at(55)                 # MQL count, per week, precision, recall: microseconds
    index.changes(55, 60)        # who enters / leaves versus the current threshold
    index.curve(np.arange(0, 101))   # all of it for 101 thresholds at once

A lead is an MQL at threshold t when it is eligible (passes every gate) and its score >= t. Per-lead
thresholds (segments) are handled by passing `offset` = lead threshold - default threshold: the
index then sorts `score - offset`, i.e. segment thresholds move with the default one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.rules.scores import Scores


@dataclass(frozen=True)
class WhatIf:
    """The MQL set at one threshold."""

    threshold: float
    mqls: int
    accepted: int
    won: int
    precision_accepted: float  # accepted / MQLs (NaN without MQLs)
    precision_won: float  # won / MQLs
    recall_won: float  # won MQLs / all won leads (NaN without wins)
    weeks: np.ndarray  # datetime64[D] Monday of each week with eligible leads
    per_week: np.ndarray  # MQLs created in each of those weeks


def _ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(denominator) > 0, np.divide(numerator, denominator), np.nan)


def ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator, NaN when the denominator is 0 (as every WhatIf ratio)."""
    return float(_ratio(numerator, denominator))


def _suffix_sums(flags: np.ndarray) -> np.ndarray:
    """out[k] = flags[k:].sum(), length len(flags) + 1."""
    return np.concatenate([np.cumsum(flags[::-1], dtype=np.int64)[::-1], [0]])


def _weekly(
    created_at: np.ndarray | None, order: np.ndarray, rank: np.ndarray, levels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weeks, sorted keys week * levels + rank, end of each week in keys); empty without dates."""
    if created_at is None:
        return (
            np.array([], dtype="datetime64[D]"),
            np.array([], dtype=np.int64),
            np.array([], dtype=np.int64),
        )
    days = np.asarray(created_at, dtype="datetime64[D]")[order]
    monday = days - ((days.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    weeks, week = np.unique(monday, return_inverse=True)
    span = max(levels, 1)
    keys = np.sort(week.astype(np.int64) * span + rank)
    return weeks, keys, np.searchsorted(keys, (np.arange(len(weeks)) + 1) * span)


@dataclass(frozen=True, eq=False)
class ThresholdIndex:
    """Eligible leads sorted by (offset-adjusted) score, with cumulative outcome counts."""

    scores: np.ndarray  # ascending
    lead_ids: np.ndarray  # in the same order
    accepted_above: np.ndarray  # accepted_above[k] = accepted among scores[k:]
    won_above: np.ndarray
    won_total: int  # won among ALL leads, eligible or not (recall's denominator)
    levels: np.ndarray  # distinct scores, ascending
    weeks: np.ndarray  # datetime64[D]
    week_keys: np.ndarray  # sorted week * len(levels) + level rank
    week_ends: np.ndarray  # position in week_keys where each week ends

    @classmethod
    def build(
        cls,
        scores: np.ndarray,
        *,
        eligible: np.ndarray | None = None,
        accepted: np.ndarray | None = None,
        won: np.ndarray | None = None,
        created_at: np.ndarray | None = None,
        lead_ids: np.ndarray | None = None,
        offset: np.ndarray | None = None,
    ) -> ThresholdIndex:
        n = len(scores)
        keep = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
        adjusted = np.asarray(scores, dtype=np.float64) - (0.0 if offset is None else offset)
        accepted_flags = (
            np.zeros(n, dtype=bool) if accepted is None else np.asarray(accepted, dtype=bool)
        )
        won_flags = np.zeros(n, dtype=bool) if won is None else np.asarray(won, dtype=bool)
        ids = np.arange(n) if lead_ids is None else np.asarray(lead_ids)
        order = np.flatnonzero(keep)[np.argsort(adjusted[keep], kind="stable")]
        ordered = adjusted[order]
        levels, rank = np.unique(ordered, return_inverse=True)
        weeks, keys, ends = _weekly(created_at, order, rank, len(levels))
        return cls(
            scores=ordered,
            lead_ids=ids[order],
            accepted_above=_suffix_sums(accepted_flags[order]),
            won_above=_suffix_sums(won_flags[order]),
            won_total=int(won_flags.sum()),
            levels=levels,
            weeks=weeks,
            week_keys=keys,
            week_ends=ends,
        )

    @classmethod
    def from_scores(
        cls,
        scores: Scores,
        *,
        accepted: np.ndarray | None = None,
        won: np.ndarray | None = None,
        created_at: np.ndarray | None = None,
    ) -> ThresholdIndex:
        """Index of a scoring run: gate-passing leads, segment offsets kept, thresholds = the default's."""
        return cls.build(
            scores.total,
            eligible=np.asarray(~scores.failed.any(axis=1)),
            accepted=accepted,
            won=won,
            created_at=created_at,
            lead_ids=scores.lead_ids,
            offset=scores.threshold - scores.default_threshold,
        )

    def count(self, thresholds: np.ndarray | float) -> np.ndarray:
        """MQL count at each threshold (vectorised)."""
        return len(self.scores) - np.searchsorted(self.scores, thresholds, side="left")

    def per_week(self, threshold: float) -> np.ndarray:
        """MQLs per week (aligned with `weeks`) at one threshold: one vectorised binary search."""
        rank = np.searchsorted(self.levels, threshold, side="left")
        starts = np.arange(len(self.weeks), dtype=np.int64) * max(len(self.levels), 1) + rank
        return self.week_ends - np.searchsorted(self.week_keys, starts, side="left")

    def at(self, threshold: float) -> WhatIf:
        """Everything about the MQL set at `threshold`."""
        k = int(np.searchsorted(self.scores, threshold, side="left"))
        mqls = len(self.scores) - k
        accepted, won = int(self.accepted_above[k]), int(self.won_above[k])
        return WhatIf(
            threshold=float(threshold),
            mqls=mqls,
            accepted=accepted,
            won=won,
            precision_accepted=float(_ratio(accepted, mqls)),
            precision_won=float(_ratio(won, mqls)),
            recall_won=float(_ratio(won, self.won_total)),
            weeks=self.weeks,
            per_week=self.per_week(threshold),
        )

    def curve(self, thresholds: np.ndarray) -> dict[str, np.ndarray]:
        """Counts, precision and recall for many thresholds at once (for plots)."""
        t = np.asarray(thresholds, dtype=np.float64)
        k = np.searchsorted(self.scores, t, side="left")
        mqls = len(self.scores) - k
        accepted, won = self.accepted_above[k], self.won_above[k]
        return {
            "threshold": t,
            "mqls": mqls,
            "accepted": accepted,
            "won": won,
            "precision_accepted": _ratio(accepted, mqls),
            "precision_won": _ratio(won, mqls),
            "recall_won": _ratio(won, self.won_total),
        }

    def changes(self, threshold: float, current: float) -> tuple[np.ndarray, np.ndarray]:
        """(entering, leaving) lead ids when moving from `current` to `threshold`."""
        new = int(np.searchsorted(self.scores, threshold, side="left"))
        old = int(np.searchsorted(self.scores, current, side="left"))
        empty = self.lead_ids[:0]
        if new < old:
            return self.lead_ids[new:old], empty
        return empty, self.lead_ids[old:new]
