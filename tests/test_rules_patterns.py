"""Scoring by distinct hit patterns: the same numbers, bit for bit, as the dense hit matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rulebook_strategies import feature_frames, rulebooks

from scoring.rules import Rulebook, evaluate_hits, load_rulebook, score
from scoring.rules.faces import FEW_CODES, on_categories
from scoring.rules.hits import Hits
from scoring.rules.patterns import distinct_patterns
from scoring.rules.scores import grades, plain_points, special_points, weight_vector
from scoring.rules.spec import GROUPS
from scoring.rules.tuning import Tuning, retune
from scoring.training_data import demo_leads


def dense_points(hits: Hits, weights: np.ndarray, group: str) -> np.ndarray:
    """A group's points from the full strength and decay matrices, every rule over every row."""
    start, plain_end, end = hits.rulebook.blocks[group]
    block = slice(start, plain_end)
    raw = plain_points(hits.strength[:, block], weights[block], hits.peak[block])
    for position in range(plain_end, end):
        raw += special_points(hits, position, float(weights[position]))
    cap = hits.rulebook.cap(group)
    low = -np.inf if cap.min is None else cap.min
    high = np.inf if cap.max is None else cap.max
    return raw + (np.clip(raw, low, high) - raw)


def assert_scores_match_the_dense_matrix(hits: Hits, weights: dict[str, float]) -> None:
    scores, w = score(hits, weights), weight_vector(hits.rulebook, weights)
    fit, engagement = (dense_points(hits, w, group) for group in GROUPS)
    assert np.array_equal(scores.fit, fit)
    assert np.array_equal(scores.engagement, engagement)
    assert np.array_equal(scores.total, fit + engagement)
    assert np.array_equal(np.asarray(scores.grade.codes), grades(hits.rulebook, fit))


@settings(max_examples=80, deadline=None)
@given(features=feature_frames(), rulebook=rulebooks(), data=st.data())
def test_pattern_scores_equal_the_dense_matrix(
    features: pd.DataFrame, rulebook: Rulebook, data: st.DataObject
) -> None:
    weights = data.draw(
        st.dictionaries(
            st.sampled_from([r.id for r in rulebook.rules]),
            st.floats(-40, 40, allow_nan=False).map(lambda x: round(x, 3)),
        )
    )
    assert_scores_match_the_dense_matrix(evaluate_hits(rulebook, features), weights)


def test_demo_leads_score_like_the_dense_matrix_under_fractional_weights() -> None:
    book, leads = load_rulebook(), demo_leads(3000, seed=11)
    hits = evaluate_hits(book, leads)
    fit, engagement = (hits.weighting.groups[g] for g in GROUPS)
    assert fit.codes is not None and len(fit.patterns) < len(leads)  # leads share patterns
    assert engagement.specials  # the decayed and capped rules are scored on their rows only
    assert_scores_match_the_dense_matrix(hits, {r.id: r.points + 0.37 for r in book.rules})
    assert_scores_match_the_dense_matrix(hits, {})


@pytest.mark.parametrize("width", [0, 1, 7, 8, 9, 19, 32, 33, 64])
def test_distinct_patterns_rebuild_every_row(width: int) -> None:
    rng = np.random.default_rng(width)
    block = np.asfortranarray(rng.random((500, width)) < 0.2)
    block[:3] = True  # the top bit of a 64-bit key too
    codes, patterns = distinct_patterns(block)
    assert np.array_equal(patterns[codes].astype(bool), block)
    assert len(np.unique(patterns, axis=0)) == len(patterns)


@pytest.mark.parametrize("matching", [0, 1, FEW_CODES, FEW_CODES + 1, 20, 29, 30])
def test_categorical_predicates_agree_whatever_the_number_of_matching_categories(
    matching: int,
) -> None:
    rng = np.random.default_rng(matching)
    categories = [f"value {i}" for i in range(30)]
    codes = rng.integers(-1, len(categories), 2000)  # -1: missing
    values = pd.Series(pd.Categorical.from_codes(codes, categories=categories))
    wanted = set(categories[:matching])
    found = on_categories(values, lambda c: np.isin(c, list(wanted)))
    assert np.array_equal(found, values.isin(wanted).to_numpy() & (codes >= 0))


def test_retune_keeps_the_patterns_and_scores_like_a_fresh_evaluation() -> None:
    book, leads = load_rulebook(), demo_leads(2000, seed=3)
    hits = evaluate_hits(book, leads)
    score(hits)
    tuning = Tuning(weights=(("demo_request", 33.5),), half_lives=(("demo_request", 9.0),))
    tuned = retune(hits, tuning)
    assert tuned.plain_patterns is hits.plain_patterns
    fresh = evaluate_hits(tuned.rulebook, leads)
    assert np.array_equal(score(tuned).total, score(fresh).total)
