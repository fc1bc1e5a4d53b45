"""Time-aware splits: nothing from on or after the cutoff reaches training; young leads are counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.learn.synthetic import synthetic_leads
from scoring.learn.targets import Target, label, target_named
from scoring.learn.validation import RANDOM, random_split, rolling_origins, time_split

LEADS = synthetic_leads(1500, seed=3, start="2024-01-01", days=400)
WON = target_named("won", horizon_days=90)


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(min_value=0, max_value=400))
def test_no_training_row_or_label_postdates_the_cutoff(offset: int) -> None:
    cutoff = pd.Timestamp("2024-01-01") + pd.Timedelta(days=offset)
    split = time_split(LEADS, WON, cutoff)
    assert (split.train["created_at"] < cutoff).all()
    assert (split.train["created_at"] + WON.horizon <= cutoff).all()
    positives = split.train["won_at"][split.y_train == 1]
    assert (positives <= cutoff).all()
    assert (split.test["created_at"] >= cutoff).all()
    assert len(split.train) + len(split.test) + sum(split.excluded.values()) == len(LEADS)


def test_leads_too_young_for_an_outcome_are_excluded_and_counted() -> None:
    as_of = pd.Timestamp("2024-12-01")
    labelled = label(LEADS[LEADS["created_at"] < as_of], WON, as_of=as_of)
    young = LEADS[(LEADS["created_at"] < as_of) & (LEADS["created_at"] + WON.horizon > as_of)]
    assert labelled.young == len(young) > 0
    assert not labelled.leads["lead_id"].isin(young["lead_id"]).any()


def test_a_positive_counts_only_inside_the_horizon() -> None:
    leads = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "won_at": pd.to_datetime(["2024-02-01", "2024-12-01"]),
        }
    )
    labelled = label(leads, Target("won", "won_at", 60, ""), as_of=pd.Timestamp("2025-01-01"))
    assert labelled.y.tolist() == [1, 0]


def test_a_boolean_outcome_is_known_at_once() -> None:
    leads = pd.DataFrame({"row": [0, 1, 2], "won": [True, False, True]})
    labelled = label(leads, Target("won", "won", 0, ""), time_column="row")
    assert labelled.young == 0
    assert labelled.y.tolist() == [1, 0, 1]


def test_the_random_split_says_what_it_is() -> None:
    split = random_split(LEADS, WON)
    assert split.kind == RANDOM and split.is_random
    assert "published figures only" in split.description
    assert abs(split.y_train.mean() - split.y_test.mean()) < 0.03


def test_rolling_origins_test_on_consecutive_windows() -> None:
    origins = [pd.Timestamp("2024-06-01"), pd.Timestamp("2024-08-01"), pd.Timestamp("2024-10-01")]
    splits = list(rolling_origins(LEADS, WON, origins))
    assert [s.test["created_at"].min() >= o for s, o in zip(splits, origins, strict=True)] == [
        True
    ] * 3
    assert (splits[0].test["created_at"] < origins[1]).all()
    assert len(splits[2].train) > len(splits[0].train)


@pytest.mark.parametrize("cutoff", ["2024-03-01", "2024-09-01"])
def test_time_split_describes_itself(cutoff: str) -> None:
    split = time_split(LEADS, WON, cutoff)
    assert cutoff in split.description
    assert split.summary()["excluded"] == split.excluded
    assert np.isin(split.y_train, [0, 1]).all()


def test_a_backtest_gives_one_row_per_fold_with_intervals() -> None:
    from scoring.learn import backtest

    leads = synthetic_leads(3000, seed=4, start="2024-01-01", days=500)
    folds = backtest(
        leads, WON, ["2024-08-01", "2024-10-01", "2024-12-01"], kind="logistic", resamples=20
    )
    assert folds["origin"].tolist() == ["2024-08-01", "2024-10-01", "2024-12-01"]
    assert (folds["roc_auc_low"] <= folds["roc_auc"]).all() and (
        folds["roc_auc"] <= folds["roc_auc_high"]
    ).all()
    assert folds["train_leads"].is_monotonic_increasing
