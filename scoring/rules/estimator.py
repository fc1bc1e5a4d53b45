"""RuleScorer: the rulebook behind the scikit-learn estimator contract, so rules and the learned
model go through the same validation, metrics and comparison code.

    scorer = RuleScorer().fit(leads)              # nothing is learned; fit loads and checks the rulebook
    scorer.predict(leads)                         # 1 = MQL (gates pass and score >= threshold)
    scorer.decision_function(leads)               # score - threshold; gated leads pushed below zero
    scorer.predict_proba(leads)[:, 1]             # logistic(decision / scale)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from scoring.rules.hits import evaluate_hits
from scoring.rules.loader import DEFAULT_RULEBOOK, load_rulebook
from scoring.rules.scores import Scores, score, weight_vector
from scoring.rules.spec import Rulebook


class RuleScorer(ClassifierMixin, BaseEstimator):
    """Score leads (a feature frame) with a rulebook.

    Args:
        rulebook: a Rulebook, or the path of a rulebook file (default data/rulebook.yaml).
        weights: points per rule id overriding the rulebook's.
        threshold: default MQL threshold overriding the rulebook's (segments keep theirs).
        scale: points per logit in predict_proba (10: a lead 10 points above threshold is ~73%).
        gate_penalty: points subtracted from the decision of a lead failing a gate (kept below 0).
    """

    def __init__(
        self,
        rulebook: Rulebook | str | Path | None = None,
        weights: Mapping[str, float] | None = None,
        threshold: float | None = None,
        scale: float = 10.0,
        gate_penalty: float = 1000.0,
    ) -> None:
        self.rulebook = rulebook
        self.weights = weights
        self.threshold = threshold
        self.scale = scale
        self.gate_penalty = gate_penalty

    def fit(self, X: pd.DataFrame, y: object = None) -> RuleScorer:
        """Load and check the rulebook and weights; learns nothing from X or y."""
        source = self.rulebook
        self.rulebook_ = (
            source if isinstance(source, Rulebook) else load_rulebook(source or DEFAULT_RULEBOOK)
        )
        self.weights_ = dict(self.weights or {})
        weight_vector(self.rulebook_, self.weights_)  # unknown rule ids fail here, not at predict
        self.classes_ = np.array([0, 1])
        return self

    def scores(self, X: pd.DataFrame) -> Scores:
        """Full scoring of X (fit, engagement, total, grade, gates, MQL)."""
        check_is_fitted(self, "rulebook_")
        return score(evaluate_hits(self.rulebook_, X), self.weights_, threshold=self.threshold)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        result = self.scores(X)
        margin = result.total - result.threshold
        gated = result.failed.any(axis=1)
        return np.where(gated, np.minimum(margin, 0.0) - self.gate_penalty, margin)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.decision_function(X) >= 0).astype(np.int64)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        positive = 1.0 / (1.0 + np.exp(-self.decision_function(X) / self.scale))
        return np.column_stack([1.0 - positive, positive])
