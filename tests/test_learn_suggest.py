"""The suggested rulebook: a valid rulebook file, a diff, the same capacity, and whole-number points."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from scoring.learn import target_named, time_split, train
from scoring.learn.candidates import candidates
from scoring.learn.methods import RULE_FEATURES, rulebook_method, with_rule_scores
from scoring.learn.model import ModelMismatch
from scoring.learn.suggest import Suggestion, suggest_rulebook
from scoring.learn.workflow import rules_vs_model, suggest_and_measure
from scoring.rules import DEFAULT_RULEBOOK, RuleScorer, load_rulebook, parse_rulebook
from scoring.training_data import demo_leads

CUTOFF = "2026-03-01"


@pytest.fixture(scope="module")
def leads():
    return demo_leads(12_000, seed=3)


@pytest.fixture(scope="module")
def suggestion(leads) -> Suggestion:
    split = time_split(leads, target_named("won"), CUTOFF)
    document = yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    return suggest_rulebook(load_rulebook(), document, split.train, split.y_train)


def test_the_suggestion_is_a_valid_rulebook_with_whole_points(suggestion: Suggestion) -> None:
    again = parse_rulebook(suggestion.yaml, "suggested.yaml")
    assert again.version.endswith("-suggested")
    assert all(float(r.points).is_integer() and r.points != 0 for r in again.rules)
    assert [g.id for g in again.gates] == [g.id for g in load_rulebook().gates]
    assert suggestion.yaml.startswith("# Suggested by")


def test_the_diff_lists_every_rule_with_before_and_after(suggestion: Suggestion) -> None:
    diff = suggestion.diff
    current = {r.id for r in load_rulebook().rules}
    assert current <= set(diff["rule"])
    assert set(diff["status"]) <= {"added", "removed", "changed", "unchanged"}
    removed = diff[diff["status"] == "removed"]
    assert removed["points_after"].isna().all()
    assert any("MQL threshold" in line for line in suggestion.changes)


def test_the_threshold_keeps_the_training_capacity_as_closely_as_whole_points_can(
    leads, suggestion: Suggestion
) -> None:
    split = time_split(leads, target_named("won"), CUTOFF)
    wanted = int(rulebook_method(load_rulebook(), split.train).selected.sum())
    book = suggestion.rulebook
    scores = RuleScorer(book).fit(split.train).scores(split.train)
    eligible = scores.total[~scores.failed.any(axis=1)]

    def gap(threshold: float) -> int:
        return abs(int((eligible >= threshold).sum()) - wanted)

    assert float(book.threshold).is_integer()
    assert gap(book.threshold) <= min(gap(book.threshold - 1), gap(book.threshold + 1))


def test_candidates_are_written_in_the_rulebook_language_and_skip_existing_rules(leads) -> None:
    found = candidates(leads, load_rulebook())
    assert found and {c.op for c in found} <= {
        "in",
        "is_true",
        "at_least",
        "lte",
        "gte",
        "contains_any",
    }
    assert not [c for c in found if (c.column, c.op, c.value) == ("seniority", "eq", "director")]
    assert len({c.id for c in found}) == len(found)


def test_suggest_and_measure_compares_on_the_later_period(leads) -> None:
    document = yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    _, effect = suggest_and_measure(
        leads, target_named("won"), CUTOFF, load_rulebook(), document, resamples=20
    )
    assert len(effect.metrics) == 2
    assert "captured_at_capacity" in next(iter(effect.differences.values()))
    assert (effect.capacity["mqls"] == effect.capacity["mqls"].iloc[0]).all()


def test_a_model_on_rule_scores_refuses_another_rulebook_version(leads) -> None:
    book = load_rulebook()
    scored = with_rule_scores(leads, book)
    run = train(
        scored,
        target_named("won"),
        cutoff=CUTOFF,
        kind="logistic",
        resamples=10,
        context={"rulebook_version": book.version},
    )
    assert set(RULE_FEATURES) <= set(run.model.schema.columns)
    comparison = rules_vs_model(run.model, leads, book, resamples=10)
    assert np.isfinite(comparison.metrics[f"rulebook {book.version}"]["roc_auc"].value)
    other = parse_rulebook(
        DEFAULT_RULEBOOK.read_text(encoding="utf-8").replace('version: "', 'version: "x', 1)
    )
    with pytest.raises(ModelMismatch, match="retrain"):
        rules_vs_model(run.model, leads, other, resamples=10)


def test_model_explanations_come_as_rule_explanation_lines(leads) -> None:
    from scoring.learn.methods import model_lines
    from scoring.rules import Line

    run = train(leads, target_named("won"), cutoff=CUTOFF, kind="logistic", resamples=10)
    lead_id = int(run.split.test["lead_id"].iloc[0])
    lines = model_lines(run.model, run.split.test, lead_id)
    assert lines and all(isinstance(line, Line) and line.group == "model" for line in lines)
    assert [line.points for line in lines] == sorted((line.points for line in lines), reverse=True)
