"""Point estimates with bootstrap 95% intervals, and the fast metric kernels they resample.

Every metric in a report is an `Estimate`: the value on the test leads plus a percentile bootstrap
interval over resampled leads. Comparisons of two methods on the same leads use a paired bootstrap (the
same resample for both), so the interval of the difference is honest about their correlation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

Metric = Callable[..., float]


@dataclass(frozen=True)
class Estimate:
    """A value with its bootstrap interval (`level`, default 95%)."""

    value: float
    low: float
    high: float
    level: float = 0.95

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high, "level": self.level}


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) identity; ties count one half."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def pr_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (the step-wise area under the precision-recall curve)."""
    positives = int(y.sum())
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    ranked_scores = scores[order]
    hits = np.cumsum(y[order])
    # Group ties: evaluate precision only at the last lead of each distinct score.
    last = np.r_[ranked_scores[1:] != ranked_scores[:-1], True]
    counts = np.arange(1, len(y) + 1)[last]
    tp = hits[last]
    recall_step = np.diff(np.r_[0, tp]) / positives
    return float(np.sum(recall_step * tp / counts))


def brier(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean squared error of the probabilities: lower is better."""
    return float(np.mean((probabilities - y) ** 2))


def captured(y: np.ndarray, selected: np.ndarray) -> float:
    """How many positives a selection of leads contains."""
    return float(np.sum(y * selected))


def bootstrap(
    metric: Metric,
    *arrays: np.ndarray,
    resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """`metric(*arrays)` on the data and a percentile interval over `resamples` bootstrap resamples."""
    value = metric(*arrays)
    rng = np.random.default_rng(seed)
    size = len(arrays[0])
    draws = np.array(
        [metric(*(a[picks] for a in arrays)) for picks in _resamples(rng, size, resamples)]
    )
    return _estimate(value, draws, level)


def paired_difference(
    metric: Metric,
    first: tuple[np.ndarray, ...],
    second: tuple[np.ndarray, ...],
    *,
    resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """metric(*first) - metric(*second) with one shared resample per draw (a paired bootstrap)."""
    value = metric(*first) - metric(*second)
    rng = np.random.default_rng(seed)
    draws = np.array(
        [
            metric(*(a[picks] for a in first)) - metric(*(a[picks] for a in second))
            for picks in _resamples(rng, len(first[0]), resamples)
        ]
    )
    return _estimate(value, draws, level)


def _resamples(rng: np.random.Generator, size: int, count: int) -> list[np.ndarray]:
    return [rng.integers(0, size, size) for _ in range(count)]


def _estimate(value: float, draws: np.ndarray, level: float) -> Estimate:
    finite = draws[np.isfinite(draws)]
    if len(finite) == 0:
        return Estimate(value, float("nan"), float("nan"), level)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Estimate(float(value), float(low), float(high), level)
