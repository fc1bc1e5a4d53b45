"""Real data: UCI Bank Marketing through its mapping profile, and the Olist MQL / closed-deal pair.

Published UCI figures without `duration` are ROC AUC ~0.79-0.80 on random splits (Moro et al. 2014);
the file is in time order, so the later period is also measured, with its drift.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.learn import Target, random_split, time_split, train
from scoring.learn.groups import rates
from scoring.training_data import OLIST_FOLDER, UCI_FILE, olist_leads_from, profile_leads

WON = Target("won", "won", 0, "the client subscribed")
needs_uci = pytest.mark.skipif(not UCI_FILE.exists(), reason=f"{UCI_FILE} not present")
needs_olist = pytest.mark.skipif(not OLIST_FOLDER.exists(), reason=f"{OLIST_FOLDER} not present")


@pytest.fixture(scope="module")
def uci() -> tuple[pd.DataFrame, dict[str, str]]:
    return profile_leads("uci_bank_marketing", [str(UCI_FILE)])


@needs_uci
def test_duration_is_flagged_by_the_profile_declaration_and_excluded(uci) -> None:
    leads, declared = uci
    assert "duration" in declared and "uci_bank_marketing" in declared["duration"]
    run = train(
        leads,
        WON,
        split=random_split(leads, WON, time_column="row"),
        declared=declared,
        time_column="row",
        resamples=50,
    )
    flags = run.leakage.table().set_index("column")
    assert flags.loc["duration", "signal"] == "declared_post_outcome"
    assert flags.loc["duration", "decision"] == "excluded"
    assert run.leakage.aucs["duration"] < 0.9  # the AUC alone would not have caught it
    assert "duration" not in run.model.schema.columns
    assert run.model.card.metrics["roc_auc"]["value"] >= 0.78
    assert run.split.is_random and "published figures only" in run.model.card.split["description"]


@needs_uci
def test_the_later_period_is_measured_with_its_drift(uci) -> None:
    leads, declared = uci
    split = time_split(leads, WON, int(len(leads) * 0.8), time_column="row")
    run = train(
        leads, WON, split=split, kind="logistic", declared=declared, time_column="row", resamples=50
    )
    card = run.model.card
    assert card.split["test_positive_rate"] > 2 * card.split["train_positive_rate"]
    assert card.metrics["calibration_in_the_large"]["value"] > 0.02
    assert 0.55 < card.metrics["roc_auc"]["value"] < 0.85
    assert "Positive rate: training" in card.to_markdown()


@needs_olist
def test_olist_uses_only_pre_outcome_fields_and_reports_channel_rates() -> None:
    leads = olist_leads_from()
    assert {"origin", "landing_page_id", "first_contact_month", "first_contact_weekday"} <= set(
        leads
    )
    assert not {"business_segment", "lead_type", "declared_monthly_revenue"} & set(leads)
    by_origin = rates(leads["origin"], leads["won_at"].notna().to_numpy().astype(int))
    assert by_origin["leads"].sum() == 8000 and by_origin["positives"].sum() == 842
    assert (by_origin["rate_low"] <= by_origin["rate"]).all() and (
        by_origin["rate"] <= by_origin["rate_high"]
    ).all()
    run = train(
        leads, Target("won", "won_at", 60, ""), cutoff="2018-05-01", kind="logistic", resamples=50
    )
    assert run.split.test["created_at"].min() >= pd.Timestamp("2018-05-01")
    assert 0.5 < run.model.card.metrics["roc_auc"]["value"] < 0.85
