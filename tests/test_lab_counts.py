"""Every MQL count (the lab's metrics, `smarketing whatif`, `rules diff`'s effect) is the count of the
flags scoring.rules.mqls.qualifies gives on the rulebook moved to that threshold, lead by lead, under
random (fractional) default and segment thresholds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.rules import Rulebook, evaluate_hits, load_rulebook, score
from scoring.rules.diff import whatif_effect
from scoring.rules.lab import Outcomes, mql_at, run_lab
from scoring.rules.mqls import at_threshold
from scoring.rules.thresholds import gate_counts, threshold_table
from scoring.rules.tuning import Tuning
from scoring.training_data import demo_leads

BOOK = load_rulebook()
thresholds = st.one_of(st.integers(-10, 120).map(float), st.floats(-10, 120, allow_nan=False))
COUNTS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    frame = demo_leads(2000, seed=5)
    rng = np.random.default_rng(5)
    created = pd.Timestamp("2026-03-02") + pd.to_timedelta(np.arange(len(frame)) % 150, unit="D")
    frame["created_at"] = created
    won = rng.random(len(frame)) < 0.08
    frame["won_at"] = pd.Series(created).where(won).to_numpy()
    accepted = won | (rng.random(len(frame)) < 0.1)
    frame["accepted_at"] = pd.Series(created).where(accepted).to_numpy()
    return frame


def _rulebook(default: float, segments: list[float]) -> Rulebook:
    moved = tuple(
        dataclasses.replace(s, threshold=t) for s, t in zip(BOOK.segments, segments, strict=True)
    )
    return dataclasses.replace(BOOK, threshold=default, segments=moved)


def _truth(leads: pd.DataFrame, book: Rulebook, threshold: float) -> np.ndarray:
    """MQL flags of the rulebook moved to `threshold`, scored from scratch."""
    return score(evaluate_hits(at_threshold(book, threshold), leads)).mql


segment_lists = st.lists(thresholds, min_size=len(BOOK.segments), max_size=len(BOOK.segments))


@COUNTS
@given(default=thresholds, segments=segment_lists, moved_to=thresholds)
def test_every_count_is_the_count_of_qualifies_flags(
    leads: pd.DataFrame, default: float, segments: list[float], moved_to: float
) -> None:
    book = _rulebook(default, segments)
    hits = evaluate_hits(book, leads)
    scores = score(hits)
    truth = _truth(leads, book, moved_to)
    outcomes = Outcomes.of(leads)

    # Lead by lead: the scores-only path and the lab's own path.
    assert np.array_equal(mql_at(scores, moved_to), truth)
    run = run_lab(hits, Tuning(), outcomes)
    assert np.array_equal(run.mql_at(moved_to), truth)

    # The counts built on them.
    lab = run.at(moved_to)
    assert lab.mqls == int(truth.sum())
    assert lab.won == int((truth & outcomes.won).sum())
    assert lab.accepted == int((truth & outcomes.accepted).sum())
    assert int(lab.per_week.sum()) == int(truth.sum())  # every lead here has a creation week

    created = leads["created_at"].to_numpy(dtype="datetime64[ns]")
    table = threshold_table(scores, outcomes.won, [moved_to], created_at=created).iloc[0]
    assert table["mqls"] == int(truth.sum())
    assert table["won"] == int((truth & outcomes.won).sum())
    reaching = _truth(leads, dataclasses.replace(book, gates=()), moved_to)
    assert table["blocked_by_gates"] == int((reaching & hits.blocked).sum())
    assert gate_counts(scores, moved_to) == {
        gate.id: int((hits.failed[:, g] & reaching).sum())
        for g, gate in enumerate(book.gates)
        if (hits.failed[:, g] & reaching).any()
    }


@settings(COUNTS, max_examples=15)
@given(a=segment_lists, b=segment_lists, default=thresholds)
def test_the_rules_diff_effect_counts_what_each_rulebook_qualifies(
    leads: pd.DataFrame, a: list[float], b: list[float], default: float
) -> None:
    first, second = _rulebook(default, a), _rulebook(default + 0.5, b)
    effect = whatif_effect(leads, first, second).set_index("measure")
    won = Outcomes.of(leads).won
    for column, book in (("a", first), ("b", second)):
        truth = _truth(leads, book, book.threshold)
        assert effect.loc["MQLs on history", column] == int(truth.sum())
        assert effect.loc["wins captured", column] == int((truth & won).sum())
