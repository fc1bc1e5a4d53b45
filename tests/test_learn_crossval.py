"""Cross-validation for leads without usable dates, the automatic choice of evaluation, and the
leakage rules that go with exports: small pure values and declared known_at."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.errors import ConfigError, DataError
from scoring.learn import target_named, train
from scoring.learn.crossval import (
    CROSS_VALIDATED,
    choose_evaluation,
    cross_validated_split,
    undated_reason,
)
from scoring.learn.declarations import declared_known_at
from scoring.learn.leakage import DECLARED, PURE_VALUE, SINGLE_AUC, check_leakage
from scoring.learn.validation import TIME

WON = target_named("won")
IMPORTED = pd.Timestamp("2026-11-30 10:00")


def export_leads(n: int = 600, seed: int = 0, created: object = IMPORTED) -> pd.DataFrame:
    """Leads as an import of final outcomes gives them: one creation time, wins without dates."""
    rng = np.random.default_rng(seed)
    visits = rng.poisson(3, n)
    won = rng.random(n) < 1 / (1 + np.exp(-(-1.5 + 0.4 * visits)))
    return pd.DataFrame(
        {
            "lead_id": np.arange(1, n + 1),
            "created_at": pd.Series(created, index=range(n)).astype("datetime64[us]"),
            "visits": visits.astype(float),
            "source": rng.choice(["web", "event", "partner"], n),
            "won_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]"),
            "won_date_unknown": won,
        }
    )


def test_every_labelled_lead_is_held_out_once_in_stratified_folds() -> None:
    leads = export_leads()
    split = cross_validated_split(leads, WON, folds=5)
    assert split.kind == CROSS_VALIDATED and split.is_cross_validated
    assert split.folds is not None and sorted(np.unique(split.folds)) == [0, 1, 2, 3, 4]
    assert len(split.test) == len(split.train) == len(leads)  # final outcomes: every lead labelled
    rates = [split.y_test[split.folds == k].mean() for k in range(5)]
    assert max(rates) - min(rates) < 0.02  # stratified
    assert split.description.startswith("STRATIFIED 5-FOLD CROSS-VALIDATION")
    assert "OUTCOMES TREATED AS FINAL" in split.description
    assert split.warning == split.description


def test_too_few_leads_of_an_outcome_for_the_folds_is_a_clear_error() -> None:
    leads = export_leads(n=40)
    leads["won_date_unknown"] = np.arange(40) < 3
    with pytest.raises(DataError, match="needs at least 5 labelled leads of each outcome"):
        cross_validated_split(leads, WON, folds=5)


@pytest.mark.parametrize(
    ("created", "reason"),
    [
        (IMPORTED, "created within 0 days of each other"),
        (pd.date_range("2025-01-01", periods=600, freq="D"), "no won outcome carries a date"),
    ],
)
def test_leads_without_usable_dates_say_why(created: object, reason: str) -> None:
    found = undated_reason(export_leads(created=created), WON)
    assert found is not None and reason in found


def test_auto_cross_validates_undated_leads_and_takes_the_time_split_with_a_cutoff() -> None:
    undated = export_leads()
    chosen = choose_evaluation(undated, WON, "auto", None)
    assert chosen.kind == CROSS_VALIDATED
    assert chosen.message.startswith("evaluation: STRATIFIED 5-FOLD CROSS-VALIDATION, because")
    assert choose_evaluation(undated, WON, "auto", "2026-01-01").kind == TIME
    dated = export_leads(created=pd.date_range("2025-01-01", periods=600, freq="D"))
    dated["won_at"] = dated["created_at"].where(dated["won_date_unknown"]) + pd.Timedelta(days=9)
    with pytest.raises(DataError, match="give --cutoff DATE for the time-ordered split"):
        choose_evaluation(dated, WON, "auto", None)


def test_a_cross_validated_model_is_measured_out_of_fold() -> None:
    leads = export_leads(n=800)
    leads["in_sample_id"] = leads["lead_id"].astype(str)  # memorisable: only out of fold is honest
    run = train(leads, WON, split=cross_validated_split(leads, WON), kind="logistic", resamples=20)
    card = run.model.card
    assert card.split["kind"] == CROSS_VALIDATED and card.split["folds"] == 5
    assert "STRATIFIED 5-FOLD CROSS-VALIDATION" in card.to_markdown()
    in_sample = run.model.predict_proba(run.split.test)
    assert not np.allclose(in_sample, run.test_probabilities)
    assert 0.55 < card.metrics["roc_auc"]["value"] < 0.9


def _with_source(n: int, rng: np.random.Generator, pure: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A base rate of 38%; `pure` leads of source "welingak" that nearly all buy."""
    y = (rng.random(n) < 0.38).astype(int)
    source = rng.choice(["google", "direct", "olark"], n).astype(object)
    source[:pure] = "welingak"
    y[:pure] = (np.arange(pure) % 70 != 0).astype(int)  # 1 in 70 does not buy
    return pd.DataFrame({"lead_source": source}), y


def test_a_small_pure_value_is_flagged_but_keeps_its_column() -> None:
    rng = np.random.default_rng(3)
    frame, y = _with_source(6000, rng, pure=90)  # 1.5% of leads
    report = check_leakage(frame, y)
    [flag] = [f for f in report.flags if f.signal == PURE_VALUE]
    assert "'welingak' is on 1.5% of leads and 97.8% of them are positive" in flag.evidence
    assert flag.kept.startswith("the value is flagged, not the column")
    assert "lead_source" not in report.excluded
    assert report.table()["decision"].str.startswith("kept: the value is flagged").all()


def test_pure_values_holding_much_of_an_outcome_exclude_the_column() -> None:
    rng = np.random.default_rng(4)
    frame, y = _with_source(6000, rng, pure=1500)  # a quarter of the leads: an outcome proxy
    report = check_leakage(frame, y)
    assert any(f.signal == PURE_VALUE and not f.kept for f in report.flags)
    assert "lead_source" in report.excluded


def test_a_column_known_at_creation_is_exempt_and_the_card_says_so() -> None:
    leads = export_leads(n=800)
    leads["tag"] = np.where(leads["won_date_unknown"], "hot", "cold")  # would be a single-AUC flag
    split = cross_validated_split(leads, WON)
    run = train(
        leads,
        WON,
        split=split,
        kind="logistic",
        resamples=20,
        known_at_creation={"tag": "features.yaml"},
    )
    card = run.model.card
    assert "tag" in card.features["categorical"]
    [note] = [n for n in card.leakage_notes if n["signal"] == SINGLE_AUC]
    assert note["column"] == "tag"
    assert "declared known at creation by features.yaml" in note["decision"]
    assert "Flagged by the leakage check but kept" in card.to_markdown()
    declared = train(leads, WON, split=split, kind="logistic", resamples=20, declared=["tag"])
    assert "tag" not in declared.model.card.features["categorical"]
    with pytest.raises(ConfigError, match="declared both post-outcome and known at creation: tag"):
        check_leakage(leads[["tag"]], split.y_test, declared=["tag"], known_at_creation=["tag"])


def test_declarations_come_from_a_feature_dictionary_and_a_profile() -> None:
    dictionary = {"fields": {"visits": {"type": "number", "known_at": "creation"}}}
    profile = {
        "files": {
            "leads": {
                "columns": {
                    "Tags": "attributes.tags",
                    "Source": {"to": "contact.lead_source", "known_at": "creation"},
                },
                "post_outcome": ["Tags"],
            }
        }
    }
    found = declared_known_at(dictionary, "features.yaml").merged(
        declared_known_at(profile, "profile.yaml")
    )
    assert found.at_creation["custom.visits"] == "features.yaml"
    assert found.at_creation["lead_source"] == "profile.yaml"
    assert found.post_outcome["tags"] == "profile.yaml"
    assert found.present(["tags", "visits"]).post_outcome == {"tags": "profile.yaml"}
    with pytest.raises(ConfigError, match="known_at must be one of"):
        declared_known_at({"fields": {"visits": {"known_at": "someday"}}}, "bad.yaml")
    assert DECLARED == "declared_post_outcome"
