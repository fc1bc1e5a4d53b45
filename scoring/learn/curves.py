"""ROC and precision-recall curves thinned to a few hundred points (for plotting, not for metrics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve


def _thin(frame: pd.DataFrame, points: int) -> pd.DataFrame:
    if len(frame) <= points:
        return frame
    keep = np.unique(np.linspace(0, len(frame) - 1, points).round().astype(int))
    return frame.iloc[keep].reset_index(drop=True)


def roc_points(y: np.ndarray, scores: np.ndarray, points: int = 300) -> pd.DataFrame:
    """False-positive rate vs true-positive rate (columns fpr, tpr)."""
    fpr, tpr, _ = roc_curve(np.asarray(y, dtype=bool), np.asarray(scores, dtype=float))
    return _thin(pd.DataFrame({"fpr": fpr, "tpr": tpr}), points)


def pr_points(y: np.ndarray, scores: np.ndarray, points: int = 300) -> pd.DataFrame:
    """Recall vs precision (columns recall, precision)."""
    precision, recall, _ = precision_recall_curve(
        np.asarray(y, dtype=bool), np.asarray(scores, dtype=float)
    )
    return _thin(pd.DataFrame({"recall": recall, "precision": precision}), points)


def curves(
    y: np.ndarray, methods: dict[str, np.ndarray], points: int = 300
) -> dict[str, pd.DataFrame]:
    """ROC and PR points of every method, long format with a `method` column, for one chart each."""
    roc = [roc_points(y, s, points).assign(method=name) for name, s in methods.items()]
    pr = [pr_points(y, s, points).assign(method=name) for name, s in methods.items()]
    return {"roc": pd.concat(roc, ignore_index=True), "pr": pd.concat(pr, ignore_index=True)}
