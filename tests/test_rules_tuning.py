"""Tuning re-uses the hit matrix and agrees with a full re-evaluation of the tuned rulebook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.rules import evaluate_hits, load_rulebook, parse_rulebook, score
from scoring.rules import hits as hits_module
from scoring.rules.tuning import Tuning, publishable_yaml, retune, rule_changes, tuned_rulebook
from scoring.training_data import demo_leads

BOOK = load_rulebook()
DECAYED = [r.id for r in BOOK.rules if r.decay is not None]
RULE_IDS = [r.id for r in BOOK.rules]


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    return demo_leads(3000, seed=5)


@pytest.fixture(scope="module")
def hits(leads: pd.DataFrame):  # type: ignore[no-untyped-def]
    return evaluate_hits(BOOK, leads)


tunings = st.builds(
    Tuning.of,
    weights=st.dictionaries(st.sampled_from(RULE_IDS), st.integers(-40, 40).map(float), max_size=8),
    threshold=st.one_of(st.none(), st.integers(0, 120).map(float)),
    half_lives=st.dictionaries(st.sampled_from(DECAYED), st.floats(1.0, 180.0), max_size=4),
    caps=st.dictionaries(
        st.sampled_from(["fit", "engagement"]),
        st.tuples(
            st.one_of(st.none(), st.integers(-60, 0).map(float)),
            st.one_of(st.none(), st.integers(1, 100).map(float)),
        ),
        max_size=2,
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tuning=tunings)
def test_retuned_scores_equal_a_full_evaluation_of_the_tuned_rulebook(
    hits, leads, tuning: Tuning
) -> None:  # type: ignore[no-untyped-def]
    fast = score(retune(hits, tuning))
    slow = score(evaluate_hits(tuned_rulebook(BOOK, tuning), leads))
    # The hit matrix keeps the days each decay counts from: a new half-life is exact, not ~1e-15.
    np.testing.assert_array_equal(fast.total, slow.total)
    assert np.array_equal(fast.mql, slow.mql)


def test_retune_evaluates_no_predicate(hits, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*_args: object) -> None:
        raise AssertionError("a predicate was evaluated")

    monkeypatch.setattr(hits_module, "evaluate", refuse)
    tuning = Tuning.of(weights={RULE_IDS[0]: 3.0}, half_lives={DECAYED[0]: 7.0}, threshold=42.0)
    assert len(score(retune(hits, tuning)).total) == len(hits)


def test_published_yaml_round_trips_the_tuning() -> None:
    tuning = Tuning.of(
        weights={RULE_IDS[0]: 21.0},
        threshold=55.0,
        half_lives={DECAYED[0]: 9.5},
        caps={"fit": (-10.0, 45.0)},
    )
    tuned = tuned_rulebook(BOOK, tuning)
    text = publishable_yaml(Path(BOOK.source).read_text(encoding="utf-8"), tuned, "2099.1.1")
    back = parse_rulebook(text)
    assert back.version == "2099.1.1"
    assert back.threshold == 55.0
    assert back.rule(RULE_IDS[0]).points == 21.0
    decay = back.rule(DECAYED[0]).decay
    assert decay is not None and decay.half_life_days == 9.5
    assert (back.cap("fit").min, back.cap("fit").max) == (-10.0, 45.0)
    changes = rule_changes(BOOK, back)
    assert set(changes["what"]) == {"points", "half-life (days)", "threshold", "cap (min, max)"}
    # Moving the threshold moved every segment with it: the file and the change list say so.
    for segment, before in zip(back.segments, BOOK.segments, strict=True):
        assert segment.threshold == before.threshold + 55.0 - BOOK.threshold
        assert f"segment {segment.name}" in set(changes["item"])


def test_segment_offsets_and_gates_off_are_written_and_listed() -> None:
    segment, gate = BOOK.segments[0], BOOK.gates[0]
    tuning = Tuning.of(segment_offsets={segment.name: 3.0}, gates_off=[gate.id], threshold=50.0)
    text = publishable_yaml(
        Path(BOOK.source).read_text(encoding="utf-8"), tuned_rulebook(BOOK, tuning), "2099.1.2"
    )
    back = parse_rulebook(text)
    assert next(s for s in back.segments if s.name == segment.name).threshold == 53.0
    assert gate.id not in {g.id for g in back.gates}
    rows = set(zip(rule_changes(BOOK, back)["item"], rule_changes(BOOK, back)["what"], strict=True))
    assert (f"segment {segment.name}", "threshold") in rows
    assert (f"gate {gate.id}", "removed") in rows


def test_unknown_rule_in_a_tuning_is_refused() -> None:
    from scoring.errors import ConfigError

    with pytest.raises(ConfigError, match="no_such_rule"):
        tuned_rulebook(BOOK, Tuning.of(weights={"no_such_rule": 1.0}))
