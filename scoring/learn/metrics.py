"""Curves and capacity: calibration bins, cumulative gains and lift, and capacity-matched selection.

Capacity matching answers the question sales asks: "at the same number of MQLs per week as the rulebook
hands us today, which method gives us more of the leads that end up accepted or won?" Within each week
the model picks as many leads as the rulebook made MQLs that week, by descending probability.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TOP_FRACTIONS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10, 0.20, 0.30, 0.50, 1.0)


def calibration_curve(y: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability against the observed rate, in `bins` equal-count bins."""
    order = np.argsort(probabilities, kind="stable")
    groups = np.array_split(order, min(bins, max(len(order), 1)))
    rows = [
        {
            "bin": at + 1,
            "leads": len(group),
            "mean_predicted": float(probabilities[group].mean()),
            "observed_rate": float(y[group].mean()),
        }
        for at, group in enumerate(groups)
        if len(group)
    ]
    return pd.DataFrame(rows, columns=["bin", "leads", "mean_predicted", "observed_rate"])


def calibration_in_the_large(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Observed positive rate minus mean predicted probability (0 when calibrated on average)."""
    return float(y.mean() - probabilities.mean())


def gains(
    y: np.ndarray, scores: np.ndarray, fractions: Sequence[float] = TOP_FRACTIONS
) -> pd.DataFrame:
    """Cumulative gains and lift when working the top k% of leads by score."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(y[order])
    total = max(int(y.sum()), 1)
    base = y.mean() if len(y) else float("nan")
    rows = []
    for fraction in fractions:
        count = max(1, round(fraction * len(y)))
        found = int(hits[count - 1]) if len(y) else 0
        rows.append(
            {
                "top_pct": round(100 * fraction, 2),
                "leads": count,
                "positives": found,
                "gain": found / total,
                "lift": (found / count) / base if base else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["top_pct", "leads", "positives", "gain", "lift"])


def week_of(times: pd.Series) -> np.ndarray:
    """The Monday-starting week of each time as an integer key (any sortable key for non-dates)."""
    if pd.api.types.is_datetime64_any_dtype(times):
        return (
            times.dt.to_period("W-SUN")
            .dt.start_time.to_numpy()
            .astype("datetime64[D]")
            .astype(np.int64)
        )
    return np.zeros(len(times), dtype=np.int64)


def weekly_quota(selected: np.ndarray, weeks: np.ndarray) -> pd.Series:
    """How many leads a method selected in each week (the capacity it asks sales to work)."""
    return pd.Series(selected.astype(np.int64)).groupby(weeks).sum()


def select_at_capacity(scores: np.ndarray, weeks: np.ndarray, quota: pd.Series) -> np.ndarray:
    """Select, in each week, the `quota[week]` leads with the highest scores (ties: first come)."""
    frame = pd.DataFrame({"week": weeks, "score": scores})
    rank = frame.groupby("week")["score"].rank(method="first", ascending=False).to_numpy()
    allowed = quota.reindex(weeks).fillna(0).to_numpy()
    return rank <= allowed


def capacity_per_week(selected: np.ndarray, weeks: np.ndarray) -> float:
    """Mean number of selected leads per week with any lead."""
    quota = weekly_quota(selected, weeks)
    return float(quota.mean()) if len(quota) else 0.0
