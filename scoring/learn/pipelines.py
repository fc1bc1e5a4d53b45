"""scikit-learn pipelines on the feature frame: a logistic-regression baseline and gradient boosting.

Both start from a ColumnTransformer over the `FeatureSchema`. The logistic model one-hot encodes
categoricals (rare values pooled) and scales numerics; its log-loss fit is calibrated on average by
construction and its coefficients give exact explanations. The boosting model ordinal-encodes
categoricals (the 30 most frequent values per column; the rest pooled) for native categorical splits,
and is calibrated with a sigmoid (see `fit_model`), because boosted trees rank well but their raw
probabilities are not calibrated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from scoring.learn.kinds import BOOSTING, KINDS, LOGISTIC
from scoring.learn.schema import FeatureSchema

MISSING = "(missing)"
CALIBRATION_SHARE = 0.2
CV_CALIBRATION_LIMIT = 40_000


def make_model(kind: str, schema: FeatureSchema, *, seed: int = 0, max_iter: int = 200) -> Pipeline:
    """An unfitted pipeline for `schema`: `logistic` (baseline) or `boosting` (not yet calibrated)."""
    if kind == LOGISTIC:
        return logistic_pipeline(schema)
    if kind == BOOSTING:
        return boosting_pipeline(schema, seed=seed, max_iter=max_iter)
    raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")


def fit_model(
    kind: str,
    schema: FeatureSchema,
    features: pd.DataFrame,
    y: np.ndarray,
    *,
    seed: int = 0,
    calibration_share: float = CALIBRATION_SHARE,
) -> ClassifierMixin:
    """Fit `kind` on prepared, oldest-first `features`; boosting comes out calibrated.

    Up to CV_CALIBRATION_LIMIT training leads, boosting is calibrated by 3-fold cross-validation (the
    average of three models: steadier when positives are few; folds are shuffled, because unshuffled
    folds over time-ordered leads calibrate each model on another era). Above it, one model is fitted
    on the oldest (1 - calibration_share) of the leads and a sigmoid is fitted on the newest rest: a
    third of the work, and the probabilities follow the most recent positive rate.
    """
    model = make_model(kind, schema, seed=seed)
    if kind == LOGISTIC:
        return model.fit(features, y)
    if len(y) <= CV_CALIBRATION_LIMIT:
        folds = StratifiedKFold(3, shuffle=True, random_state=seed)
        return CalibratedClassifierCV(model, method="sigmoid", cv=folds).fit(features, y)
    split = int(len(y) * (1 - calibration_share))
    model.fit(features.iloc[:split], y[:split])
    recent = y[split:]
    if recent.min() == recent.max():
        return model
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid")
    return calibrated.fit(features.iloc[split:], recent)


def logistic_pipeline(schema: FeatureSchema, *, c: float = 1.0) -> Pipeline:
    """One-hot categoricals (values under 0.1% pooled), imputed and scaled numerics, then logistic."""
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value=MISSING)),
            (
                "onehot",
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.001),
            ),
        ]
    )
    numeric = Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
        ]
    )
    columns = ColumnTransformer(
        [
            ("categorical", categorical, list(schema.categorical)),
            ("numeric", numeric, list(schema.numeric)),
        ],
        sparse_threshold=0.0,
    )
    return Pipeline([("columns", columns), ("model", LogisticRegression(C=c, max_iter=2000))])


def boosting_pipeline(schema: FeatureSchema, *, seed: int = 0, max_iter: int = 200) -> Pipeline:
    """Ordinal-encoded categoricals (native categorical splits) and raw numerics into boosted trees."""
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=float("nan"),
        encoded_missing_value=float("nan"),
        max_categories=30,
    )
    columns = ColumnTransformer(
        [
            ("categorical", encoder, list(schema.categorical)),
            ("numeric", "passthrough", list(schema.numeric)),
        ]
    )
    model = HistGradientBoostingClassifier(
        learning_rate=0.08,
        max_iter=max_iter,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=list(range(len(schema.categorical))),
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=15,
        random_state=seed,
    )
    return Pipeline([("columns", columns), ("model", model)])
