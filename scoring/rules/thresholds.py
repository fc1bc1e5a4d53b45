"""Per-threshold what-if table: MQLs, MQLs per week, wins captured, precision, recall, what blocks them.

    table = threshold_table(scores, outcomes_won, [20, 30, 40], created_at=created, weekly_capacity=25)

Every row counts one flag set decided by scoring.rules.mqls.qualifies (through scoring.rules.lab:
`mql_at`, `count_mqls`), the one rule every reader uses: a lead is an MQL at threshold t when it passes
every gate and its score reaches its own threshold, segment thresholds moving with t. "Blocked by
gates" counts the leads that reach their threshold but fail a gate; "over capacity" counts the MQLs
beyond the active reps' weekly capacity, week by week (all of them when no rep has capacity).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.rules.lab import Outcomes, count_mqls, mondays, mql_at, week_positions
from scoring.rules.scores import Scores

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
    n = len(scores.total)
    created = np.asarray(
        created_at if dated else np.full(n, np.datetime64("NaT")), "datetime64[ns]"
    )
    outcomes = Outcomes(
        accepted=np.zeros(n, dtype=bool), won=np.asarray(won, dtype=bool), created_at=created
    )
    eligible = np.asarray(~scores.failed.any(axis=1), dtype=bool)
    weeks = _weeks(created, eligible) if dated else np.array([], dtype="datetime64[D]")
    week = week_positions(created, weeks)
    everyone = np.ones(n, dtype=bool)
    rows = []
    for t in thresholds:
        at = count_mqls(mql_at(scores, float(t), eligible), float(t), outcomes, weeks, week)
        reaching = mql_at(scores, float(t), everyone)  # the threshold reached, gates aside
        per_week = at.per_week[:-1] if len(at.per_week) > 1 else at.per_week  # last week is partial
        rows.append(
            {
                "threshold": float(t),
                "mqls": at.mqls,
                "mqls_per_week": float(per_week.mean()) if dated and len(per_week) else np.nan,
                "won": at.won,
                "precision": at.precision_won,
                "recall": at.recall_won,
                "blocked_by_gates": int((~eligible & reaching).sum()),
                "over_capacity": _over_capacity(at.per_week, at.mqls, weekly_capacity, dated),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _weeks(created: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """The Mondays of the weeks in which gate-passing leads were created (ThresholdIndex's weeks)."""
    days = created[eligible & ~np.isnat(created)]
    return np.unique(mondays(days))


def gate_counts(scores: Scores, threshold: float) -> dict[str, int]:
    """Per gate: leads reaching their threshold at `threshold` that fail it (a lead can fail several)."""
    reaching = mql_at(scores, threshold, np.ones(len(scores.total), dtype=bool))
    return {
        gate: int((scores.failed[:, g] & reaching).sum())
        for g, gate in enumerate(scores.gate_ids)
        if (scores.failed[:, g] & reaching).any()
    }
