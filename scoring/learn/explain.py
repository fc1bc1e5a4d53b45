"""Why the model scores a lead as it does: global importance and per-lead contributions.

Per-lead explanations have the shape of rule explanations (one row per lead and item, with signed
points), here in log-odds:
  - logistic model: EXACT. The logit is intercept + sum of coef * x over the encoded columns; the columns
    of one feature are summed, so intercept + the sum of a lead's contributions equals its logit. Numerics
    are standardised (0 = the training average); a category's contribution is its coefficient.
  - boosting model: an APPROXIMATION by occlusion. A feature's contribution is the lead's logit minus the
    logit with that one feature set to a reference value (the most frequent category, the median number).
    It shows what moving that feature alone to a typical value would change; contributions do not add up
    to the logit and interactions are not split between features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logit
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from scoring.learn.model import THREADS, TrainedModel

COLUMNS = ["lead_id", "feature", "value", "contribution"]
EPSILON = 1e-6


def is_linear(model: TrainedModel) -> bool:
    return isinstance(model.estimator, Pipeline) and hasattr(model.estimator[-1], "coef_")


def coefficients(model: TrainedModel) -> pd.DataFrame:
    """Logistic model only: one row per encoded column (feature, encoded name, coefficient), by |coef|."""
    if not is_linear(model):
        raise TypeError(
            "coefficients exist only for the logistic model; use permutation_importance"
        )
    names = model.estimator[0].get_feature_names_out()
    table = pd.DataFrame(
        {
            "feature": [_source(name, model.schema.columns) for name in names],
            "encoded": names,
            "coefficient": model.estimator[-1].coef_[0],
        }
    )
    return table.reindex(table["coefficient"].abs().sort_values(ascending=False).index).reset_index(
        drop=True
    )


def permutation(
    model: TrainedModel, leads: pd.DataFrame, y: np.ndarray, *, rows: int = 5000, seed: int = 0
):
    """Drop in ROC AUC when each feature is shuffled (mean and std over 3 repeats), largest first."""
    picks = np.random.default_rng(seed).permutation(len(leads))[:rows]
    prepared = model.schema.prepare(leads.iloc[picks])
    with threadpool_limits(limits=THREADS):
        result = permutation_importance(
            model.estimator, prepared, y[picks], scoring="roc_auc", n_repeats=3, random_state=seed
        )
    table = pd.DataFrame(
        {
            "feature": list(model.schema.columns),
            "importance": result.importances_mean,
            "std": result.importances_std,
        }
    )
    return table.sort_values("importance", ascending=False).reset_index(drop=True)


def contributions(
    model: TrainedModel, leads: pd.DataFrame, reference: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every feature's contribution (log-odds) for each lead; exact for logistic, occlusion otherwise."""
    model.check(leads)
    with threadpool_limits(limits=THREADS):
        if is_linear(model):
            matrix = _linear(model, leads)
        else:
            matrix = _occlusion(model, leads, leads if reference is None else reference)
    ids = leads["lead_id"].to_numpy() if "lead_id" in leads else leads.index.to_numpy()
    prepared = model.schema.prepare(leads)
    features = list(model.schema.columns)
    return pd.DataFrame(
        {
            "lead_id": np.repeat(ids, len(features)),
            "feature": np.tile(features, len(leads)),
            "value": prepared.to_numpy(dtype=object).ravel(),
            "contribution": matrix.ravel(),
        },
        columns=COLUMNS,
    )


def top_contributions(table: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """The `count` most positive and `count` most negative contributions of each lead."""
    ordered = table.sort_values(["lead_id", "contribution"], ascending=[True, False])
    positive = ordered[ordered["contribution"] > 0].groupby("lead_id", sort=False).head(count)
    negative = ordered[ordered["contribution"] < 0].groupby("lead_id", sort=False).tail(count)
    chosen = pd.concat([positive, negative])
    return chosen.sort_values(["lead_id", "contribution"], ascending=[True, False]).reset_index(
        drop=True
    )


def intercept(model: TrainedModel) -> float:
    """The logistic model's intercept: logit = intercept + sum of contributions."""
    return float(model.estimator[-1].intercept_[0])


def _source(encoded: str, columns: tuple[str, ...]) -> str:
    name = encoded.split("__", 1)[-1].removeprefix("missingindicator_")
    matches = [c for c in columns if name == c or name.startswith(f"{c}_")]
    return max(matches, key=len) if matches else name


def _linear(model: TrainedModel, leads: pd.DataFrame) -> np.ndarray:
    columns, classifier = model.estimator[0], model.estimator[-1]
    encoded = np.asarray(columns.transform(model.schema.prepare(leads)), dtype=float)
    points = encoded * classifier.coef_[0]
    owners = [_source(n, model.schema.columns) for n in columns.get_feature_names_out()]
    position = {feature: at for at, feature in enumerate(model.schema.columns)}
    matrix = np.zeros((len(leads), len(model.schema.columns)))
    np.add.at(matrix.T, np.array([position[o] for o in owners]), points.T)
    return matrix


def _occlusion(model: TrainedModel, leads: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    prepared = model.schema.prepare(leads).reset_index(drop=True)
    typical = _typical(model.schema.prepare(reference))
    base = _logit(model.estimator.predict_proba(prepared)[:, 1])
    features = list(model.schema.columns)
    batch = pd.concat([prepared] * len(features), ignore_index=True)
    for at, feature in enumerate(features):
        rows = np.arange(at * len(prepared), (at + 1) * len(prepared))
        batch.iloc[rows, at] = typical[feature]  # type: ignore[call-overload]
    occluded = _logit(model.estimator.predict_proba(batch)[:, 1]).reshape(
        len(features), len(prepared)
    )
    return (base[None, :] - occluded).T


def _typical(prepared: pd.DataFrame) -> dict[str, object]:
    typical: dict[str, object] = {}
    for column in prepared.columns:
        values = prepared[column]
        if values.dtype == object:
            mode = values.mode(dropna=True)
            typical[column] = mode.iloc[0] if len(mode) else np.nan
        else:
            typical[column] = float(values.median())
    return typical


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(logit(np.clip(p, EPSILON, 1 - EPSILON)))
