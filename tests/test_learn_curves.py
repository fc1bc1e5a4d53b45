"""Thinned ROC / PR curves keep their end points and stay within a few hundred points."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import auc

from scoring.learn.curves import curves, roc_points


def test_thinned_roc_keeps_ends_and_area() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(20_000) < 0.2
    scores = y + rng.normal(0, 1.2, len(y))
    full = roc_points(y, scores, points=10**9)
    thin = roc_points(y, scores, points=300)
    assert len(thin) <= 300 < len(full)
    assert (thin["fpr"].iloc[0], thin["tpr"].iloc[0]) == (0.0, 0.0)
    assert (thin["fpr"].iloc[-1], thin["tpr"].iloc[-1]) == (1.0, 1.0)
    assert abs(auc(thin["fpr"], thin["tpr"]) - auc(full["fpr"], full["tpr"])) < 0.005


def test_curves_cover_every_method() -> None:
    y = np.array([0, 1, 0, 1, 1, 0])
    out = curves(y, {"rules": np.arange(6.0), "model": np.arange(6.0)[::-1]})
    assert set(out["roc"]["method"]) == set(out["pr"]["method"]) == {"rules", "model"}
