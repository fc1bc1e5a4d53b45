"""Metrics of one method on test leads, each with a bootstrap 95% interval, and the drift between periods.

Drift is reported, never hidden: a model trained on one period and tested on the next meets a different
positive rate, and its calibration in the large (observed minus predicted) shows it.
"""

from __future__ import annotations

import numpy as np

from scoring.learn.intervals import Estimate, bootstrap, brier, pr_auc, roc_auc
from scoring.learn.metrics import calibration_in_the_large

RANKING_METRICS = {"roc_auc": roc_auc, "pr_auc": pr_auc}
PROBABILITY_METRICS = {"brier": brier, "calibration_in_the_large": calibration_in_the_large}


def evaluate(
    y: np.ndarray,
    probabilities: np.ndarray,
    *,
    resamples: int = 200,
    seed: int = 0,
    ranking_only: bool = False,
) -> dict[str, Estimate]:
    """ROC AUC, PR AUC and (for probabilities) Brier score and calibration in the large, with intervals."""
    metrics = dict(RANKING_METRICS)
    if not ranking_only:
        metrics |= PROBABILITY_METRICS
    return {
        name: bootstrap(metric, y, probabilities, resamples=resamples, seed=seed)
        for name, metric in metrics.items()
    }


def drift(y_train: np.ndarray, y_test: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """Positive rate in each period, the mean prediction on the test period, and their gap."""
    return {
        "train_positive_rate": float(np.mean(y_train)) if len(y_train) else float("nan"),
        "test_positive_rate": float(np.mean(y_test)) if len(y_test) else float("nan"),
        "mean_predicted_test": float(np.mean(probabilities))
        if len(probabilities)
        else float("nan"),
        "calibration_in_the_large": calibration_in_the_large(y_test, probabilities)
        if len(y_test)
        else float("nan"),
    }
