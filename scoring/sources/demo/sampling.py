"""Vectorised random draws the simulation is built from: categorical draws, delays, logistic curves."""

from __future__ import annotations

import numpy as np


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative probabilities of non-negative weights (1-D or 2-D)."""
    weights = np.asarray(weights, dtype=float)
    total = weights.sum(axis=-1, keepdims=True)
    return np.cumsum(weights / np.where(total > 0, total, 1.0), axis=-1)


def draw(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray | None = None, n: int = 0):
    """Categorical draws: from one cumulative vector (`n` draws) or, with `rows`, one per row index.

    `table` holds cumulative probabilities (see `cumulative`); a 2-D table is indexed by `rows`.
    """
    if rows is None:
        picks = np.searchsorted(table, rng.random(n), side="right")
        return np.minimum(picks, len(table) - 1)
    u = rng.random(len(rows))
    picks = (u[:, None] >= table[rows]).sum(axis=1)
    return np.minimum(picks, table.shape[1] - 1)


def chance(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    """Independent coin flips with probability `p` (scalar or per row)."""
    return rng.random(n) < p


def none_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """An object copy of `values` with None where `mask` holds (a missing value)."""
    out = np.array(values, dtype=object)
    out[mask] = None
    return out


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def delay_days(rng: np.random.Generator, median: np.ndarray | float, spread: float, n: int):
    """Log-normal delays in whole seconds with the given median (days) and log-spread."""
    days = np.asarray(median) * np.exp(rng.normal(0.0, spread, n))
    return (days * 86_400).astype(np.int64) + 60
