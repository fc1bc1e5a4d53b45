"""Rules vs model on the same leads: metrics with intervals, capacity matching, disagreements, reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from scoring.learn import explain, report
from scoring.learn.compare import Comparison, Method, compare
from scoring.learn.intervals import bootstrap, pr_auc, roc_auc
from scoring.learn.metrics import select_at_capacity, week_of, weekly_quota
from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import target_named
from scoring.learn.training import train


def toy_rules(leads: pd.DataFrame) -> np.ndarray:
    """A crude rulebook: 10 points for software, 10 for a demo request, 5 for a manager or above."""
    senior = leads["seniority"].isin(["c_level", "vp", "director", "manager"])
    return (
        10.0 * (leads["industry"] == "software") + 10.0 * leads["demo_request_total"] + 5.0 * senior
    ).to_numpy()


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    leads = synthetic_leads(4000, seed=11)
    run = train(leads, target_named("won"), cutoff="2024-12-01", kind="logistic", resamples=20)
    test = run.split.test
    rule_scores = toy_rules(test)
    rules = Method(
        "rulebook",
        rule_scores,
        selected=rule_scores >= 15,
        explain=lambda s: pd.Series(["points"] * len(s)),
    )

    def why(subset: pd.DataFrame) -> pd.Series:
        top = explain.top_contributions(explain.contributions(run.model, subset), 2)
        return (
            top.groupby("lead_id", sort=False)["feature"]
            .agg(", ".join)
            .reindex(subset["lead_id"])
            .fillna("")
        )

    model = Method("model", run.test_probabilities, run.test_probabilities, explain=why)
    return compare(
        test,
        run.split.y_test,
        [rules, model],
        baseline="rulebook",
        description=run.split.description,
        resamples=30,
    )


def test_fast_metric_kernels_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.3).astype(int)
    scores = np.round(rng.random(500) + 0.3 * y, 1)  # with ties
    assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores))
    assert pr_auc(y, scores) == pytest.approx(average_precision_score(y, scores))


def test_a_bootstrap_interval_brackets_its_value() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(800) < 0.3).astype(int)
    estimate = bootstrap(roc_auc, y, rng.random(800) + y, resamples=50)
    assert estimate.low <= estimate.value <= estimate.high


def test_capacity_matching_gives_each_week_the_rulebook_count() -> None:
    times = pd.Series(pd.date_range("2024-01-01", periods=70, freq="D"))
    weeks = week_of(times)
    rules = np.arange(70) % 3 == 0
    quota = weekly_quota(rules, weeks)
    chosen = select_at_capacity(np.random.default_rng(2).random(70), weeks, quota)
    assert weekly_quota(chosen, weeks).equals(quota)


def test_every_metric_comes_with_an_interval(comparison: Comparison) -> None:
    assert set(comparison.metrics["model"]) == {
        "roc_auc",
        "pr_auc",
        "brier",
        "calibration_in_the_large",
    }
    assert set(comparison.metrics["rulebook"]) == {"roc_auc", "pr_auc"}
    for diff in comparison.differences["model"].values():
        assert diff.low <= diff.value <= diff.high


def test_the_model_gets_exactly_the_rulebook_capacity(comparison: Comparison) -> None:
    capacity = comparison.capacity.set_index("method")
    assert capacity.loc["model", "mqls"] == capacity.loc["rulebook", "mqls"]


def test_disagreements_carry_both_explanations(comparison: Comparison) -> None:
    table = comparison.disagreements
    assert set(table["kind"]) == {"rules MQL, model ranks low", "model picks, rules do not"}
    assert (table["rules_explanation"] == "points").all()
    assert table["model_explanation"].str.len().gt(0).any()


def test_per_campaign_breakdown_has_rates_with_intervals(comparison: Comparison) -> None:
    campaigns = comparison.campaigns
    assert {"campaign_code", "leads", "rate", "rate_low", "rate_high", "model_auc"} <= set(
        campaigns
    )
    assert (campaigns["rate_low"] <= campaigns["rate"]).all()


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_reports_show_split_metrics_leakage_and_disagreements(
    comparison: Comparison, tmp_path: Path, suffix: str
) -> None:
    text = report.write(comparison, tmp_path / f"report{suffix}").read_text()
    for heading in (
        "Metrics with bootstrap 95% intervals",
        "Capacity-matched",
        "Leakage check",
        "Disagreements",
        "Per campaign",
    ):
        assert heading in text
    assert "time split" in text
    assert "STRATIFIED RANDOM" not in text


def test_a_random_split_report_is_labelled_as_such(comparison: Comparison) -> None:
    labelled = Comparison(**{**comparison.__dict__, "is_random_split": True})
    assert "STRATIFIED RANDOM SPLIT" in report.to_markdown(labelled).split("## Split")[0]
