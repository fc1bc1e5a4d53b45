"""Rules versus model on the same test leads: ranking, calibration, gains, capacity, disagreements, campaigns.

    comparison = compare(test_leads, y_test, [rules, model], baseline="rules")

Every method is a `Method`: a ranking score, optional calibrated probabilities (for Brier and the
calibration curve) and optional selection (the rulebook's MQLs). Capacity matching gives every other method
exactly as many MQLs per week as the baseline's selection; what each captures is bootstrapped, and the
difference to the baseline uses a paired bootstrap over the same leads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.learn import groups as group_tables
from scoring.learn.evaluation import evaluate
from scoring.learn.intervals import Estimate, bootstrap, captured, paired_difference, roc_auc
from scoring.learn.metrics import (
    calibration_curve,
    gains,
    select_at_capacity,
    week_of,
    weekly_quota,
)
from scoring.learn.targets import TIME_COLUMN

Explainer = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Method:
    """One way of ranking leads, as seen by the comparison."""

    name: str
    scores: np.ndarray
    probabilities: np.ndarray | None = None
    selected: np.ndarray | None = None
    explain: Explainer | None = None


@dataclass(frozen=True)
class Comparison:
    """Everything a comparison report shows (see scoring.learn.report for the rendering)."""

    description: str
    is_random_split: bool
    leads: int
    positives: int
    weeks: int
    metrics: dict[str, dict[str, Estimate]]
    differences: dict[str, dict[str, Estimate]]
    calibration: dict[str, pd.DataFrame]
    gains: dict[str, pd.DataFrame]
    capacity: pd.DataFrame
    disagreements: pd.DataFrame
    campaigns: pd.DataFrame
    leakage: pd.DataFrame = field(default_factory=pd.DataFrame)
    drift: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warning: str = ""
    """The capitals label reports show at their top (a random split, cross-validation)."""


def compare(
    leads: pd.DataFrame,
    y: np.ndarray,
    methods: Sequence[Method],
    *,
    baseline: str,
    description: str = "",
    is_random_split: bool = False,
    campaign_column: str = "campaign_code",
    time_column: str = TIME_COLUMN,
    leakage: pd.DataFrame | None = None,
    drift: dict[str, float] | None = None,
    notes: Sequence[str] = (),
    resamples: int = 200,
    seed: int = 0,
    warning: str = "",
) -> Comparison:
    """Compare `methods` on the same leads; `baseline` names the method with a selection (the rulebook)."""
    by_name = {method.name: method for method in methods}
    base = by_name[baseline]
    if base.selected is None:
        raise ValueError(
            f"the baseline {baseline!r} needs a selection (its MQLs) for capacity matching"
        )
    y = np.asarray(y, dtype=np.int8)
    weeks = week_of(leads[time_column]) if time_column in leads else np.zeros(len(leads), np.int64)
    quota = weekly_quota(base.selected, weeks)
    chosen: dict[str, np.ndarray] = {
        m.name: select_at_capacity(m.scores, weeks, quota) for m in methods if m.name != baseline
    }
    chosen[baseline] = base.selected
    return Comparison(
        description=description,
        is_random_split=is_random_split,
        leads=len(y),
        positives=int(y.sum()),
        weeks=len(quota),
        metrics={m.name: _metrics(m, y, resamples, seed) for m in methods},
        differences={
            m.name: _differences(m, base, y, chosen, resamples, seed)
            for m in methods
            if m.name != baseline
        },
        calibration={
            m.name: calibration_curve(y, m.probabilities)
            for m in methods
            if m.probabilities is not None
        },
        gains={m.name: gains(y, m.scores) for m in methods},
        capacity=_capacity(y, chosen, weeks, resamples, seed),
        disagreements=disagreements(
            leads, y, base, [m for m in methods if m.name != baseline], chosen
        ),
        campaigns=_campaigns(leads, y, methods, chosen, campaign_column, seed),
        leakage=leakage if leakage is not None else pd.DataFrame(),
        drift=dict(drift or {}),
        notes=tuple(notes),
        warning=warning,
    )


def _metrics(method: Method, y: np.ndarray, resamples: int, seed: int) -> dict[str, Estimate]:
    if method.probabilities is not None:
        return evaluate(y, method.probabilities, resamples=resamples, seed=seed)
    return evaluate(y, method.scores, resamples=resamples, seed=seed, ranking_only=True)


def _differences(
    method: Method,
    base: Method,
    y: np.ndarray,
    chosen: dict[str, np.ndarray],
    resamples: int,
    seed: int,
) -> dict[str, Estimate]:
    return {
        "roc_auc": paired_difference(
            roc_auc, (y, method.scores), (y, base.scores), resamples=resamples, seed=seed
        ),
        "captured_at_capacity": paired_difference(
            captured,
            (y, chosen[method.name]),
            (y, chosen[base.name]),
            resamples=resamples,
            seed=seed,
        ),
    }


def _capacity(
    y: np.ndarray, chosen: dict[str, np.ndarray], weeks: np.ndarray, resamples: int, seed: int
) -> pd.DataFrame:
    rows = []
    week_count = max(len(np.unique(weeks)), 1)
    for name, mask in chosen.items():
        estimate = bootstrap(captured, y, mask, resamples=resamples, seed=seed)
        rows.append(
            {
                "method": name,
                "mqls": int(mask.sum()),
                "mqls_per_week": mask.sum() / week_count,
                "captured": estimate.value,
                "captured_low": estimate.low,
                "captured_high": estimate.high,
                "share_of_positives": estimate.value / max(int(y.sum()), 1),
                "precision": estimate.value / max(int(mask.sum()), 1),
            }
        )
    return pd.DataFrame(rows)


def disagreements(
    leads: pd.DataFrame,
    y: np.ndarray,
    base: Method,
    others: Sequence[Method],
    chosen: dict[str, np.ndarray],
    *,
    count: int = 10,
) -> pd.DataFrame:
    """Leads the rulebook made MQL that a method ranks low, and the reverse, with both explanations."""
    if base.selected is None:
        return pd.DataFrame()
    rows = []
    for other in others:
        percentile = pd.Series(other.scores).rank(pct=True).to_numpy()
        rules_only = np.flatnonzero(base.selected & ~chosen[other.name])
        other_only = np.flatnonzero(chosen[other.name] & ~base.selected)
        picks = [
            ("rules MQL, model ranks low", rules_only[np.argsort(percentile[rules_only])][:count]),
            ("model picks, rules do not", other_only[np.argsort(-percentile[other_only])][:count]),
        ]
        for kind, at in picks:
            rows.append(_disagreement_rows(leads, y, base, other, kind, at, percentile))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _disagreement_rows(
    leads: pd.DataFrame,
    y: np.ndarray,
    base: Method,
    other: Method,
    kind: str,
    at: np.ndarray,
    pct: np.ndarray,
) -> pd.DataFrame:
    subset = leads.iloc[at]
    return pd.DataFrame(
        {
            "kind": kind,
            "method": other.name,
            "lead_id": subset["lead_id"].to_numpy()
            if "lead_id" in subset
            else subset.index.to_numpy(),
            "rules_score": base.scores[at],
            "model_score": other.scores[at],
            "model_percentile": np.round(100 * pct[at], 1),
            "outcome": y[at],
            "rules_explanation": _explain(base, subset),
            "model_explanation": _explain(other, subset),
        }
    )


def _explain(method: Method, subset: pd.DataFrame) -> list[str]:
    if method.explain is None or subset.empty:
        return [""] * len(subset)
    return [str(text) for text in method.explain(subset)]


def _campaigns(
    leads: pd.DataFrame,
    y: np.ndarray,
    methods: Sequence[Method],
    chosen: dict[str, np.ndarray],
    column: str,
    seed: int,
) -> pd.DataFrame:
    if column not in leads:
        return pd.DataFrame()
    return group_tables.breakdown(
        leads[column].reset_index(drop=True),
        y,
        {m.name: m.scores for m in methods},
        chosen,
        seed=seed,
    ).rename(columns={"group": column})
