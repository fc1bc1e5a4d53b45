"""Threshold what-if: every query equals a brute-force recomputation over the leads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.rules import ThresholdIndex

WHATIF = settings(max_examples=150, deadline=None)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n = draw(st.integers(0, 60))
    scores = draw(
        hnp.arrays(
            np.float64, n, elements=st.sampled_from([-5.0, 0.0, 10.0, 12.5, 30.0, 60.0, 61.25])
        )
    )
    flags = hnp.arrays(np.bool_, n)
    days = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 120)))
    return {
        "scores": scores,
        "eligible": draw(flags),
        "accepted": draw(flags),
        "won": draw(flags),
        "offset": draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 0.0, 10.0, -5.0]))),
        "created_at": np.datetime64("2026-01-01") + days.astype("timedelta64[D]"),
        "lead_ids": np.arange(n) * 7 + 1,
    }


def _brute(h: dict[str, np.ndarray], threshold: float) -> np.ndarray:
    return h["eligible"] & (h["scores"] - h["offset"] >= threshold)


thresholds = st.sampled_from([-10.0, -5.0, 0.0, 5.0, 10.0, 12.5, 20.0, 30.0, 55.0, 60.0, 70.0])


@WHATIF
@given(h=histories(), threshold=thresholds)
def test_threshold_query_matches_brute_force(h: dict[str, np.ndarray], threshold: float) -> None:
    index = ThresholdIndex.build(**h)
    mql = _brute(h, threshold)
    got = index.at(threshold)
    assert got.mqls == mql.sum()
    assert got.accepted == (mql & h["accepted"]).sum() and got.won == (mql & h["won"]).sum()
    if mql.any():
        assert got.precision_accepted == (mql & h["accepted"]).sum() / mql.sum()
    else:
        assert np.isnan(got.precision_won)
    if h["won"].any():
        assert got.recall_won == (mql & h["won"]).sum() / h["won"].sum()
    created = pd.Series(h["created_at"][mql])
    weekly = (created - pd.to_timedelta(created.dt.day_of_week, unit="D")).value_counts()
    per_week = dict(zip(index.weeks, got.per_week, strict=True))
    assert {k: v for k, v in per_week.items() if v} == {
        np.datetime64(k, "D"): v for k, v in weekly.items()
    }
    assert all(
        np.datetime64(w, "D").astype("datetime64[D]").item().weekday() == 0 for w in index.weeks
    )


@WHATIF
@given(h=histories(), new=thresholds, current=thresholds)
def test_entering_and_leaving_leads_match_brute_force(
    h: dict[str, np.ndarray], new: float, current: float
) -> None:
    entering, leaving = ThresholdIndex.build(**h).changes(new, current)
    before, after = _brute(h, current), _brute(h, new)
    assert set(entering) == set(h["lead_ids"][after & ~before])
    assert set(leaving) == set(h["lead_ids"][before & ~after])


@WHATIF
@given(h=histories())
def test_curve_is_the_query_at_every_threshold(h: dict[str, np.ndarray]) -> None:
    index = ThresholdIndex.build(**h)
    grid = np.array([-10.0, 0.0, 12.5, 30.0, 61.25, 100.0])
    curve = index.curve(grid)
    for i, t in enumerate(grid):
        point = index.at(t)
        assert curve["mqls"][i] == point.mqls and curve["won"][i] == point.won
        np.testing.assert_equal(curve["recall_won"][i], point.recall_won)
    assert np.all(np.diff(curve["mqls"]) <= 0)
