"""Explanations: exact for the logistic model, a documented occlusion approximation for boosting."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit

from scoring.learn import explain
from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import target_named
from scoring.learn.training import TrainingRun, train

LEADS = synthetic_leads(3000, seed=7)


@pytest.fixture(scope="module")
def linear() -> TrainingRun:
    return train(LEADS, target_named("won"), cutoff="2024-12-01", kind="logistic", resamples=10)


def test_linear_contributions_add_up_to_the_logit_exactly(linear: TrainingRun) -> None:
    leads = linear.split.test.head(20)
    table = explain.contributions(linear.model, leads)
    logits = (
        explain.intercept(linear.model) + table.groupby("lead_id", sort=False)["contribution"].sum()
    )
    assert np.allclose(logits.to_numpy(), logit(linear.model.predict_proba(leads)), atol=1e-9)


def test_top_contributions_give_positive_then_negative_per_lead(linear: TrainingRun) -> None:
    top = explain.top_contributions(
        explain.contributions(linear.model, linear.split.test.head(5)), 2
    )
    for _, rows in top.groupby("lead_id"):
        assert len(rows) <= 4
        assert rows["contribution"].is_monotonic_decreasing


def test_global_importance_ranks_the_real_signal_above_noise(linear: TrainingRun) -> None:
    importance = explain.permutation(
        linear.model, linear.split.test, linear.split.y_test, rows=1500
    )
    ranked = importance["feature"].tolist()
    assert ranked.index("seniority") < ranked.index("noise_number")
    coefficients = explain.coefficients(linear.model)
    assert coefficients.iloc[0]["feature"] in {"seniority", "industry", "demo_request_total"}


def test_boosting_contributions_are_occlusion_estimates_per_feature() -> None:
    run = train(LEADS, target_named("won"), cutoff="2024-12-01", kind="boosting", resamples=10)
    table = explain.contributions(run.model, run.split.test.head(4), reference=run.split.train)
    assert len(table) == 4 * len(run.model.schema.columns)
    assert table["contribution"].abs().max() > 0
    with pytest.raises(TypeError, match="logistic"):
        explain.coefficients(run.model)
