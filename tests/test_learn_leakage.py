"""The leakage check: each signal fires on what it should, never on independent noise, and says why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.learn.leakage import (
    DECLARED,
    DISPOSITION_NAME,
    DISPOSITION_VALUE,
    PURE_VALUE,
    SINGLE_AUC,
    check_leakage,
)


def labelled_frame(seed: int, n: int = 4000, rate: float = 0.2) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    frame = pd.DataFrame(
        {
            "label_plus_noise": y + rng.normal(0, 0.2, n),
            "random_number": rng.normal(size=n),
            "random_category": rng.choice(["a", "b", "c", "d"], n),
        }
    )
    return frame, y


@pytest.mark.parametrize("seed", range(5))
def test_a_column_equal_to_the_label_plus_small_noise_is_always_flagged(seed: int) -> None:
    frame, y = labelled_frame(seed)
    report = check_leakage(frame, y, seed=seed)
    flags = [f for f in report.flags if f.column == "label_plus_noise"]
    assert [f.signal for f in flags] == [SINGLE_AUC]
    assert "ROC AUC" in flags[0].evidence
    assert "label_plus_noise" in report.excluded


def test_independent_random_columns_are_never_flagged() -> None:
    frame, y = labelled_frame(seed=42)
    report = check_leakage(frame, y, seed=42)
    assert "random_number" not in report.flagged
    assert "random_category" not in report.flagged
    assert 0.4 < report.aucs["random_number"] < 0.6


def test_declared_post_outcome_fields_are_flagged_with_their_source() -> None:
    frame, y = labelled_frame(seed=1)
    report = check_leakage(frame, y, declared={"random_number": "profile uci_bank_marketing"})
    flag = next(f for f in report.flags if f.signal == DECLARED)
    assert flag.column == "random_number"
    assert "uci_bank_marketing" in flag.evidence
    assert "random_number" in report.excluded


def test_disposition_names_and_values_are_flagged() -> None:
    frame, y = labelled_frame(seed=2)
    frame["call_status"] = np.where(np.arange(len(y)) % 3 == 0, "Closed Lost", "open")
    report = check_leakage(frame, y)
    signals = {f.signal for f in report.flags if f.column == "call_status"}
    assert {DISPOSITION_NAME, DISPOSITION_VALUE} <= signals


def test_a_name_about_an_earlier_episode_is_history_not_a_disposition() -> None:
    frame, y = labelled_frame(seed=3)
    frame["previous_outcome"] = np.where(np.arange(len(y)) % 2 == 0, "success", "failure")
    assert "previous_outcome" not in check_leakage(frame, y).flagged


def test_an_almost_pure_value_with_material_support_is_flagged() -> None:
    frame, y = labelled_frame(seed=4)
    frame["segment"] = np.where(y == 1, "vip", np.where(np.arange(len(y)) % 2 == 0, "x", "z"))
    flags = [f for f in check_leakage(frame, y).flags if f.signal == PURE_VALUE]
    assert any("'vip'" in f.evidence and "100.0%" in f.evidence for f in flags)


def test_an_override_keeps_the_column_and_records_the_reason() -> None:
    frame, y = labelled_frame(seed=5)
    report = check_leakage(frame, y, overrides={"label_plus_noise": "known before the call"})
    assert "label_plus_noise" in report.flagged
    assert "label_plus_noise" not in report.excluded
    decision = report.table().set_index("column").loc["label_plus_noise", "decision"]
    assert decision == "kept by override: known before the call"


def test_an_override_without_a_reason_is_refused() -> None:
    frame, y = labelled_frame(seed=6)
    with pytest.raises(ValueError, match="needs a reason"):
        check_leakage(frame, y, overrides={"label_plus_noise": " "})
