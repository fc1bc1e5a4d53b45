"""The two contestants of a comparison, as `Method`s: the rulebook and a trained model.

`with_rule_scores` adds the rulebook's points as model features (the model builds on the rulebook).
Both come with their explanations in the same shape (signed points per item, as text): the rulebook's
points per rule (scoring.rules.explain) and the model's top contributions (scoring.learn.explain).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from scoring.errors import DataError, Problem
from scoring.learn import explain as model_explain
from scoring.learn.compare import Method
from scoring.learn.model import TrainedModel
from scoring.rules.estimator import RuleScorer
from scoring.rules.explain import Line
from scoring.rules.explain import explain as rule_explain
from scoring.rules.hits import evaluate_hits
from scoring.rules.spec import Rulebook

TOP = 3
RULE_FEATURES = ("rules_fit", "rules_engagement", "rules_score")


def with_rule_scores(leads: pd.DataFrame, rulebook: Rulebook) -> pd.DataFrame:
    """`leads` plus the rulebook's fit, engagement and total points as feature columns.

    The model may start from what RevOps already encoded (decay, caps, gates' inputs): these scores use
    only decision-time features, like every other column, so the comparison stays fair.
    """
    scores = RuleScorer(rulebook).fit(leads).scores(leads)
    extra = pd.DataFrame(
        dict(zip(RULE_FEATURES, (scores.fit, scores.engagement, scores.total), strict=True)),
        index=leads.index,
    )
    return pd.concat([leads.drop(columns=[c for c in RULE_FEATURES if c in leads]), extra], axis=1)


def rulebook_method(
    rulebook: Rulebook,
    leads: pd.DataFrame,
    name: str = "rulebook",
    *,
    calibrate_on: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> Method:
    """Scores and MQL decisions of `rulebook` on `leads`, explained rule by rule.

    Args:
        calibrate_on: (training leads, their labels): the score is mapped to a probability by a logistic
            fit there (Platt scaling), so Brier score and calibration can be compared with the model's.
    """
    scores = RuleScorer(rulebook).fit(leads).scores(leads)

    def explain(subset: pd.DataFrame) -> pd.Series:
        hits = evaluate_hits(rulebook, subset)
        texts = [_rule_lines(hits, int(lead_id)) for lead_id in subset["lead_id"]]
        return pd.Series(texts, index=subset.index)

    probabilities = None
    if calibrate_on is not None and len(np.unique(calibrate_on[1])) == 2:
        train_scores = RuleScorer(rulebook).fit(calibrate_on[0]).scores(calibrate_on[0]).total
        platt = LogisticRegression().fit(train_scores.reshape(-1, 1), calibrate_on[1])
        probabilities = platt.predict_proba(scores.total.reshape(-1, 1))[:, 1]
    return Method(
        f"{name} {rulebook.version}",
        scores.total,
        probabilities,
        selected=scores.mql,
        explain=explain,
    )


def _rule_lines(hits: object, lead_id: int) -> str:
    explanation = rule_explain(hits, lead_id)  # type: ignore[arg-type]
    lines = sorted(
        (line for line in explanation.lines if line.rule), key=lambda line: -abs(line.points)
    )
    return "; ".join(f"{line.points:+g} {line.text}" for line in lines[:TOP])


def model_method(
    model: TrainedModel, leads: pd.DataFrame, reference: pd.DataFrame | None = None, name: str = ""
) -> Method:
    """Probabilities of `model` on `leads`, explained by the top contributions (log-odds)."""
    probabilities = model.predict_proba(leads)

    def explain(subset: pd.DataFrame) -> pd.Series:
        table = model_explain.contributions(model, subset, reference=reference)
        top = model_explain.top_contributions(table, TOP)
        text = top.assign(
            line=[
                f"{c:+.2f} {f} = {shown(v)}"
                for f, v, c in zip(top["feature"], top["value"], top["contribution"], strict=True)
            ]
        )
        joined = text.groupby("lead_id", sort=False)["line"].agg("; ".join)
        return pd.Series(
            joined.reindex(subset["lead_id"]).fillna("").to_numpy(), index=subset.index
        )

    return Method(name or f"model ({model.kind})", probabilities, probabilities, explain=explain)


def shown(value: object) -> str:
    """A feature value for people: 4 significant digits, "missing" for NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)


def score_method(name: str, scores: np.ndarray, selected: np.ndarray | None = None) -> Method:
    """Any other ranking (e.g. a suggested rulebook's totals) without explanations."""
    return Method(name, scores, selected=selected)


def model_lines(
    model: TrainedModel,
    leads: pd.DataFrame,
    lead_id: int,
    *,
    reference: pd.DataFrame | None = None,
    count: int = TOP,
) -> tuple[Line, ...]:
    """A lead's top positive and negative model contributions as rule-explanation `Line`s.

    Same shape as `scoring.rules.explain` (group, item, signed amount, English); the amount is in log-odds
    (exact for the logistic model, occlusion for boosting: see scoring.learn.explain).
    """
    row = leads[leads["lead_id"] == lead_id]
    if row.empty:
        raise DataError([Problem(f"lead {lead_id}", "not among the given leads")])
    top = model_explain.top_contributions(
        model_explain.contributions(model, row, reference=reference), count
    )
    return tuple(
        Line("model", str(feature), float(points), f"{feature} is {shown(value)}")
        for feature, value, points in zip(
            top["feature"], top["value"], top["contribution"], strict=True
        )
    )
