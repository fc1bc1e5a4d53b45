"""Per-threshold what-if table: MQLs, MQLs per week, wins captured, precision, recall, what blocks them.

    table = threshold_table(scores, outcomes_won, [20, 30, 40], created_at=created, weekly_capacity=25)

Built on the sorted-score index of scoring.rules.whatif (one binary search per threshold). A lead is an
MQL at threshold t when it passes every gate and scores at least t (segment thresholds move with t).
"Blocked by gates" counts the leads that score at least t but fail a gate; "over capacity" counts the
MQLs beyond the active reps' weekly capacity, week by week (all of them when no rep has capacity).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.rules.scores import Scores
from scoring.rules.whatif import ThresholdIndex

# Creation dates spanning less than this are no time axis (an import without dates): no weekly rate.
MIN_DATED_SPAN = np.timedelta64(14, "D")

COLUMNS = (
    "threshold",
    "mqls",
    "mqls_per_week",
    "won",
    "precision",
    "recall",
    "blocked_by_gates",
    "over_capacity",
)


def has_dates(created_at: np.ndarray | None) -> bool:
    """Whether creation times span enough to speak of MQLs per week."""
    if created_at is None or len(created_at) == 0:
        return False
    days = np.asarray(created_at, dtype="datetime64[s]")
    days = days[~np.isnat(days)]
    return bool(len(days)) and bool(days.max() - days.min() >= MIN_DATED_SPAN)


def _over_capacity(per_week: np.ndarray, mqls: int, capacity: float | None, dated: bool) -> float:
    if capacity is not None and capacity <= 0:
        return float(mqls)
    if capacity is None or not dated:
        return float("nan")
    return float(np.clip(per_week - capacity, 0, None).sum())


def threshold_table(
    scores: Scores,
    won: np.ndarray,
    thresholds: Sequence[float],
    *,
    created_at: np.ndarray | None = None,
    weekly_capacity: float | None = None,
) -> pd.DataFrame:
    """One row per threshold (columns `COLUMNS`); NaN where a figure has no meaning (no dates, no wins).

    Args:
        won: per lead (in score order), did it become a customer (scoring.learn.targets.happened).
        weekly_capacity: MQLs the active reps take per week; None: not known.
    """
    dated = has_dates(created_at)
    index = ThresholdIndex.from_scores(scores, won=won, created_at=created_at if dated else None)
    blocked = scores.failed.any(axis=1)
    adjusted = scores.total - (scores.threshold - scores.default_threshold)
    rows = []
    for t in thresholds:
        at = index.at(float(t))
        per_week = at.per_week[:-1] if len(at.per_week) > 1 else at.per_week  # last week is partial
        rows.append(
            {
                "threshold": float(t),
                "mqls": at.mqls,
                "mqls_per_week": float(per_week.mean()) if dated and len(per_week) else np.nan,
                "won": at.won,
                "precision": at.precision_won,
                "recall": at.recall_won,
                "blocked_by_gates": int((blocked & (adjusted >= t)).sum()),
                "over_capacity": _over_capacity(at.per_week, at.mqls, weekly_capacity, dated),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def gate_counts(scores: Scores, threshold: float) -> dict[str, int]:
    """Per gate: leads scoring at least `threshold` that fail it (a lead can fail several)."""
    adjusted = scores.total - (scores.threshold - scores.default_threshold)
    above = adjusted >= threshold
    return {
        gate: int((scores.failed[:, g] & above).sum())
        for g, gate in enumerate(scores.gate_ids)
        if (scores.failed[:, g] & above).any()
    }
