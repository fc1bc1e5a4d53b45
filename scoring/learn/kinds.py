"""Names of the model kinds and training steps (kept light: no scikit-learn import)."""

from __future__ import annotations

LOGISTIC = "logistic"
BOOSTING = "boosting"
KINDS = (LOGISTIC, BOOSTING)
STEPS = ("split", "leakage check", "fit", "evaluate")
