"""Hit matrix, scores, caps, explanations and the scikit-learn RuleScorer."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lead_sources import AS_OF, lead_sources
from rulebook_strategies import feature_frames, rulebook_documents, rulebooks
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scoring.errors import ConfigError, DataError
from scoring.features import build_features
from scoring.rules import (
    OPERATORS,
    Rulebook,
    RuleScorer,
    evaluate_hits,
    explain,
    load_rulebook,
    parse_rulebook,
    score,
)
from scoring.rules.scores import special_points

SCORING = settings(max_examples=80, deadline=None)


@SCORING
@given(features=feature_frames(), rulebook=rulebooks(), data=st.data())
def test_explanation_sums_exactly_to_the_score(
    features: pd.DataFrame, rulebook: Rulebook, data: st.DataObject
) -> None:
    weights = data.draw(
        st.dictionaries(
            st.sampled_from([r.id for r in rulebook.rules]),
            st.one_of(
                st.integers(-40, 40), st.floats(-40, 40, allow_nan=False).map(lambda x: round(x, 3))
            ),
        )
    )
    hits = evaluate_hits(rulebook, features)
    scores = score(hits, weights)
    for row, lead_id in enumerate(scores.lead_ids):
        why = explain(hits, int(lead_id), weights)
        assert why.group_sum("fit") == scores.fit[row]
        assert why.group_sum("engagement") == scores.engagement[row]
        assert why.total == scores.total[row]
        assert why.mql == bool(scores.mql[row])
        assert why.grade == scores.grade[row]
        assert [gate for gate, _ in why.failed_gates] == [
            g for i, g in enumerate(scores.gate_ids) if scores.failed[row, i]
        ]


@SCORING
@given(features=feature_frames(), rulebook=rulebooks())
def test_rule_and_group_caps_hold(features: pd.DataFrame, rulebook: Rulebook) -> None:
    hits = evaluate_hits(rulebook, features)
    weights = np.array([r.points for r in rulebook.ordered])
    for position, rule in enumerate(rulebook.ordered):
        if rule.cap is not None:
            assert np.all(np.abs(special_points(hits, position, weights[position])) <= rule.cap)
    scores = score(hits)
    for group, values in (("fit", scores.fit), ("engagement", scores.engagement)):
        cap = rulebook.cap(group)
        assert cap.min is None or np.all(values >= cap.min)
        assert cap.max is None or np.all(values <= cap.max)
    np.testing.assert_array_equal(scores.total, scores.fit + scores.engagement)


@SCORING
@given(features=feature_frames(), document=rulebook_documents(), data=st.data())
def test_reweighting_equals_a_rulebook_with_those_points(
    features: pd.DataFrame, document: dict, data: st.DataObject
) -> None:
    rulebook = parse_rulebook(yaml.safe_dump(document, allow_unicode=True))
    new_points = {r["id"]: data.draw(st.integers(-50, 50)) for r in document["rules"]}
    for rule in document["rules"]:
        rule["points"] = new_points[rule["id"]]
    rewritten = parse_rulebook(yaml.safe_dump(document, allow_unicode=True))
    reweighted = score(evaluate_hits(rulebook, features), new_points).frame()
    rescored = score(evaluate_hits(rewritten, features)).frame()
    pd.testing.assert_frame_equal(reweighted, rescored)


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    """Every feature column, from random source tables (lead_sources)."""
    return build_features(*lead_sources(60, seed=7), as_of=AS_OF, competitor_domains={"rival.io"})


def test_reweighting_does_not_evaluate_any_predicate_again(
    monkeypatch: pytest.MonkeyPatch, leads: pd.DataFrame
) -> None:
    calls: Counter[str] = Counter()

    def counting(name: str, evaluate):  # type: ignore[no-untyped-def]
        def wrapper(values, value):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return evaluate(values, value)

        return wrapper

    for name, op in list(OPERATORS.items()):
        monkeypatch.setitem(
            OPERATORS, name, dataclasses.replace(op, evaluate=counting(name, op.evaluate))
        )
    rulebook = load_rulebook()
    hits = evaluate_hits(rulebook, leads)
    evaluated = sum(calls.values())
    conditions = sum(len(r.when.conditions) for r in rulebook.rules)
    conditions += sum(len(g.require.conditions) for g in rulebook.gates)
    conditions += sum(len(s.when.conditions) for s in rulebook.segments)
    assert evaluated == conditions
    first = score(hits)
    for bump in (5, 10, 20):
        score(hits, {"industry_core": bump, "demo_request": 2 * bump}, threshold=40 + bump)
        explain(hits, int(hits.lead_ids[0]), {"industry_core": bump})
    assert sum(calls.values()) == evaluated
    assert np.array_equal(score(hits).total, first.total)


def test_explanation_reads_in_plain_english_with_cap_lines() -> None:
    rulebook = parse_rulebook(
        """
version: "t"
groups: {fit: {max: 20}}
mql: {threshold: 25}
gates:
  - {id: valid_email, require: {column: email_valid, op: is_true}, message: valid email}
rules:
  - {id: core, group: fit, when: {column: industry, op: in, value: [Software, Fintech]}, points: 15}
  - {id: senior, group: fit, when: {column: seniority, op: eq, value: vp}, points: 10}
  - id: pricing
    group: engagement
    when: {column: pricing_views_30d, op: at_least, value: 1}
    points: 4
    per: pricing_views_30d
    cap: 10
"""
    )
    leads = pd.DataFrame(
        {
            "lead_id": [7],
            "industry": pd.Categorical(["Software"]),
            "seniority": pd.Categorical(["vp"]),
            "pricing_views_30d": np.array([3], dtype=np.int32),
            "email_valid": [False],
        }
    )
    why = explain(evaluate_hits(rulebook, leads), 7)
    assert [(line.rule, line.points) for line in why.lines] == [
        ("core", 15.0),
        ("senior", 10.0),
        (None, -5.0),
        ("pricing", 10.0),
    ]
    text = str(why)
    assert "industry is Software or Fintech" in text
    assert "fit maximum 20 (raw 25)" in text
    assert "3 x 4 points, capped at 10" in text
    assert "gate valid_email fails: requires valid email: yes" in text
    assert why.total == 30.0 and not why.mql


def test_unknown_weight_and_missing_column_are_named(leads: pd.DataFrame) -> None:
    rulebook = load_rulebook()
    with pytest.raises(DataError, match="missing column"):
        evaluate_hits(rulebook, pd.DataFrame({"lead_id": [1]}))
    with pytest.raises(ConfigError, match="nosuch"):
        score(evaluate_hits(rulebook, leads), {"nosuch": 1})


def test_rule_scorer_follows_the_estimator_contract(leads: pd.DataFrame) -> None:
    rulebook = load_rulebook()
    scorer = RuleScorer(weights={"industry_core": 20}, threshold=30)
    assert clone(scorer).get_params() == scorer.get_params()
    with pytest.raises(NotFittedError):
        scorer.predict(leads)
    assert scorer.fit(leads) is scorer
    expected = score(evaluate_hits(rulebook, leads), {"industry_core": 20}, threshold=30)
    np.testing.assert_array_equal(scorer.predict(leads), expected.mql.astype(int))
    proba = scorer.predict_proba(leads)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba[:, 1] >= 0.5, scorer.predict(leads) == 1)
    assert list(scorer.classes_) == [0, 1]
    with pytest.raises(ConfigError):
        RuleScorer(weights={"nosuch": 1}).fit(leads)
