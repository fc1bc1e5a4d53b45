"""Per-group breakdowns (campaign, channel, origin): volume, positive rate and ranking quality, with intervals.

Rates use the Wilson score interval (a closed form that stays inside [0, 1] for small groups); per-group
AUCs use the bootstrap like every other metric. Groups too small or without both outcomes show NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import norm

from scoring.learn.intervals import bootstrap, roc_auc

MIN_GROUP = 30


def wilson(
    positives: np.ndarray, counts: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of positives / counts, element-wise."""
    z = norm.ppf(0.5 + level / 2)
    n = np.maximum(np.asarray(counts, dtype=float), 1.0)
    p = np.asarray(positives, dtype=float) / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def rates(groups: pd.Series, y: np.ndarray) -> pd.DataFrame:
    """Leads, positives and positive rate (with a Wilson 95% interval) per group, largest group first."""
    keys = groups.astype(object).where(groups.notna(), "(missing)").to_numpy()
    table = pd.DataFrame(
        pd.DataFrame({"group": keys, "y": y})
        .groupby("group")["y"]
        .agg(leads="size", positives="sum")
    )
    table["rate"] = table["positives"] / table["leads"]
    table["rate_low"], table["rate_high"] = wilson(
        table["positives"].to_numpy(), table["leads"].to_numpy()
    )
    return table.sort_values(by="leads", ascending=False).reset_index()


def breakdown(
    groups: pd.Series,
    y: np.ndarray,
    scores: Mapping[str, np.ndarray],
    selected: Mapping[str, np.ndarray],
    *,
    resamples: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Per group: rate with interval, each method's AUC (bootstrap interval) and what its selection captured."""
    table = rates(groups, y).set_index("group")
    keys = groups.astype(object).where(groups.notna(), "(missing)").to_numpy()
    for name, mask in selected.items():
        frame = pd.DataFrame({"group": keys, "chosen": mask, "hit": mask & (y == 1)})
        sums = frame.groupby("group")[["chosen", "hit"]].sum()
        table[f"{name}_selected"] = sums["chosen"]
        table[f"{name}_captured"] = sums["hit"]
    for name, values in scores.items():
        estimates = {
            group: _group_auc(y[keys == group], values[keys == group], resamples, seed)
            for group in table.index
        }
        table[f"{name}_auc"] = [estimates[g][0] for g in table.index]
        table[f"{name}_auc_low"] = [estimates[g][1] for g in table.index]
        table[f"{name}_auc_high"] = [estimates[g][2] for g in table.index]
    return table.reset_index()


def _group_auc(
    y: np.ndarray, scores: np.ndarray, resamples: int, seed: int
) -> tuple[float, float, float]:
    if len(y) < MIN_GROUP or y.min() == y.max():
        return float("nan"), float("nan"), float("nan")
    estimate = bootstrap(roc_auc, y, scores, resamples=resamples, seed=seed)
    return estimate.value, estimate.low, estimate.high
