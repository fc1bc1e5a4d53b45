"""The steps the CLI, the benchmark and the notebooks share: compare a saved model with the rulebook on
the model's own test period, and suggest a rulebook with its expected effect on that period.

    comparison = rules_vs_model(model, leads, rulebook)
    suggestion, effect = suggest_and_measure(leads, target, cutoff, rulebook, document)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scoring.errors import DataError, Problem
from scoring.learn.card import ModelCard
from scoring.learn.compare import Comparison, Method, compare
from scoring.learn.crossval import (
    CROSS_VALIDATED,
    FOLDS,
    cross_validated_split,
    out_of_fold,
    platt_out_of_fold,
)
from scoring.learn.methods import RULE_FEATURES, model_method, rulebook_method, with_rule_scores
from scoring.learn.model import THREADS, ModelMismatch, TrainedModel
from scoring.learn.suggest import Suggestion, suggest_rulebook
from scoring.learn.targets import TIME_COLUMN, Target
from scoring.learn.validation import (
    RANDOM,
    TIME,
    Split,
    random_split,
    require_trainable,
    time_split,
)
from scoring.rules.spec import Rulebook


def target_of(card: ModelCard) -> Target:
    """The target a model was trained for, as recorded in its card."""
    t = card.target
    return Target(
        str(t["name"]),
        str(t["event_column"]),
        float(t["horizon_days"]),
        str(t.get("description", "")),
    )


def test_split_of(card: ModelCard, leads: pd.DataFrame) -> Split:
    """The model's own split, rebuilt from its card on `leads`.

    A time split from its cutoff and split column; a stratified random split from its seed, test size
    and whether outcomes were final (cards written before those were recorded: the defaults); a
    cross-validation from its folds, seed and whether outcomes were final.
    """
    time_column = str(card.split.get("time_column") or TIME_COLUMN)
    kind = card.split.get("kind", TIME)
    if kind == CROSS_VALIDATED:
        return cross_validated_split(
            leads,
            target_of(card),
            folds=int(card.split.get("folds", FOLDS)),
            seed=int(card.split.get("seed", 0)),
            time_column=time_column,
            final=bool(card.split.get("final_outcomes", True)),
        )
    if kind == RANDOM:
        final = card.split.get("final_outcomes")
        return random_split(
            leads,
            target_of(card),
            test_size=float(card.split.get("test_size", 0.25)),
            seed=int(card.split.get("seed", 0)),
            time_column=time_column,
            final=None if final is None else bool(final),
        )
    cutoff = card.split.get("cutoff")
    if kind != TIME or not cutoff:
        raise DataError(
            [Problem("model card", f"split {kind!r} without a cutoff cannot be rebuilt: retrain")],
            source="the model's split",
        )
    return time_split(leads, target_of(card), cutoff, time_column=time_column)


def leakage_table(card: ModelCard) -> pd.DataFrame:
    """The columns the card's leakage check flagged, with the decision taken."""
    rows = [
        {
            **entry,
            "decision": f"kept by override: {card.overrides[entry['column']]}"
            if entry["column"] in card.overrides
            else "excluded",
        }
        for entry in card.leakage_flags
    ]
    rows += card.leakage_notes
    return pd.DataFrame(rows, columns=["column", "signal", "evidence", "decision"])


def rules_vs_model(
    model: TrainedModel,
    leads: pd.DataFrame,
    rulebook: Rulebook,
    *,
    extra: Sequence[Callable[[Split], Method]] = (),
    resamples: int = 200,
    seed: int = 0,
    probabilities: np.ndarray | None = None,
) -> Comparison:
    """Rulebook vs model on the model's test period, capacity matched to the rules.

    On a cross-validated model both are measured out of fold on every labelled lead: the model's
    probabilities come from refitting it on the other folds (its schema and kind), the rulebook's
    from a Platt fit on the other folds.

    Args:
        extra: more methods, each made from the split (e.g. a suggested rulebook on `split.test`).
        probabilities: the model's out-of-fold probabilities when already computed (the training
            run's `test_probabilities`, on the same leads): no refit.
    """
    leads = _rule_features_for(model, leads, rulebook)
    split = test_split_of(model.card, leads)
    if split.folds is not None:
        rules, learned = _out_of_fold_methods(model, rulebook, split, probabilities)
    else:
        rules = rulebook_method(rulebook, split.test, calibrate_on=(split.train, split.y_train))
        learned = model_method(model, split.test, reference=split.train)
    others = [make(split) for make in extra]
    drift = {k: float(v) for k, v in model.card.split.items() if isinstance(v, float)}
    return compare(
        split.test,
        split.y_test,
        [rules, learned, *others],
        baseline=rules.name,
        description=split.description,
        is_random_split=split.is_random,
        warning=split.warning,
        leakage=leakage_table(model.card),
        drift=drift,
        notes=_notes(model.card, split),
        resamples=resamples,
        seed=seed,
    )


def _out_of_fold_methods(
    model: TrainedModel, rulebook: Rulebook, split: Split, probabilities: np.ndarray | None
) -> tuple[Method, Method]:
    """The rulebook and the model on a cross-validated split, both calibrated out of fold."""
    folds = split.folds if split.folds is not None else np.zeros(len(split.y_test), np.int64)
    rules = rulebook_method(rulebook, split.test)
    rules = replace(rules, probabilities=platt_out_of_fold(rules.scores, split.y_test, folds))
    if probabilities is None or len(probabilities) != len(split.y_test):
        model.check(split.test)
        with threadpool_limits(limits=THREADS):
            probabilities = out_of_fold(
                model.kind,
                model.schema,
                model.schema.prepare(split.test),
                split.y_test,
                folds,
                seed=int(model.card.split.get("fit_seed", 0)),
            )
    learned = model_method(model, split.test, reference=split.train)
    return rules, replace(learned, scores=probabilities, probabilities=probabilities)


def _rule_features_for(
    model: TrainedModel, leads: pd.DataFrame, rulebook: Rulebook
) -> pd.DataFrame:
    """Add the rulebook's scores when the model reads them; refuse another rulebook version than trained on."""
    if not set(RULE_FEATURES) & set(model.schema.columns):
        return leads
    trained_on = model.card.context.get("rulebook_version")
    if trained_on and trained_on != rulebook.version:
        raise ModelMismatch(
            [
                Problem(
                    "rulebook",
                    f"the model reads scores of rulebook {trained_on}, not {rulebook.version}: retrain",
                )
            ]
        )
    return with_rule_scores(leads, rulebook)


def _notes(card: ModelCard, split: Split) -> list[str]:
    return [
        f"Target: {card.target.get('description')}. Model: {card.kind}, trained {card.created_at}.",
        f"Leads left out as too young to have an outcome: {split.excluded}.",
    ]


def suggest_and_measure(
    leads: pd.DataFrame,
    target: Target,
    cutoff: object,
    rulebook: Rulebook,
    document: dict[str, Any],
    *,
    resamples: int = 200,
    seed: int = 0,
) -> tuple[Suggestion, Comparison]:
    """Fit a suggested rulebook on the leads before `cutoff`; compare it with the current one after it."""
    split = time_split(leads, target, cutoff)
    require_trainable(split)
    suggestion = suggest_rulebook(rulebook, document, split.train, split.y_train)
    current = rulebook_method(rulebook, split.test, calibrate_on=(split.train, split.y_train))
    suggested = rulebook_method(
        suggestion.rulebook, split.test, name="suggested", calibrate_on=(split.train, split.y_train)
    )
    comparison = compare(
        split.test,
        split.y_test,
        [current, suggested],
        baseline=current.name,
        description=split.description,
        notes=list(suggestion.changes),
        resamples=resamples,
        seed=seed,
    )
    return suggestion, comparison


def headline(comparison: Comparison) -> dict[str, dict[str, float]]:
    """Per method: ROC AUC (with interval), MQLs and positives captured at the baseline's capacity."""
    capacity = {str(row["method"]): row for row in comparison.capacity.to_dict("records")}
    return {
        name: {
            "roc_auc": metrics["roc_auc"].value,
            "roc_auc_low": metrics["roc_auc"].low,
            "roc_auc_high": metrics["roc_auc"].high,
            "mqls": float(capacity[name]["mqls"]),
            "captured": float(capacity[name]["captured"]),
            "captured_low": float(capacity[name]["captured_low"]),
            "captured_high": float(capacity[name]["captured_high"]),
        }
        for name, metrics in comparison.metrics.items()
    }
