"""Out-of-fold target encoding of one column: the label rate of each value, learned on the other folds.

Used by the leakage check to measure how much a single column knows about the label, whatever the shape
of the relation (numeric columns are cut into quantile bins first, missing values are a bin of their own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BINS = 20
PRIOR_WEIGHT = 20.0


def codes_of(values: pd.Series, bins: int = BINS) -> np.ndarray:
    """Integer codes: quantile bins for numerics, one code per distinct value otherwise; -1 = missing."""
    if pd.api.types.is_bool_dtype(values):
        values = values.astype(float)
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > bins:
        ranks = values.rank(method="average", pct=True).to_numpy()
        codes = np.floor(np.nan_to_num(ranks, nan=-1.0) * bins).clip(-1, bins - 1)
        return np.where(np.isnan(ranks), -1, codes).astype(np.int64)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def out_of_fold_rates(
    values: pd.Series, y: np.ndarray, *, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """For each row, the smoothed label rate of its value computed on the other folds."""
    codes = codes_of(values) + 1  # 0 is missing
    width = int(codes.max()) + 1
    fold = np.random.default_rng(seed).integers(0, folds, len(codes))
    prior = float(y.mean())
    rates = np.empty(len(codes), dtype=float)
    for at in range(folds):
        held = fold == at
        positives = np.bincount(codes[~held], weights=y[~held], minlength=width)
        counts = np.bincount(codes[~held], minlength=width)
        smoothed = (positives + PRIOR_WEIGHT * prior) / (counts + PRIOR_WEIGHT)
        rates[held] = smoothed[codes[held]]
    return rates
