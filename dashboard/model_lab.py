"""Train, compare and suggest for the Rules vs model page (UI steps; the maths is in scoring.learn)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
import yaml

from dashboard.data import Snapshot
from scoring.errors import ConfigError
from scoring.learn import Comparison, TrainingRun, target_named, train
from scoring.learn.crossval import (
    CROSS_VALIDATED,
    FOLDS,
    cross_validated_split,
    cv_label,
    undated_reason,
)
from scoring.learn.curves import curves
from scoring.learn.kinds import STEPS
from scoring.learn.methods import rulebook_method, with_rule_scores
from scoring.learn.suggest import Suggestion
from scoring.learn.workflow import rules_vs_model, suggest_and_measure
from scoring.policy import Published

RESAMPLES = 100
EVALUATIONS = {
    "auto": "Automatic: time split where leads carry dates, else cross-validation",
    "time": "Time split at a cutoff",
    "cv": f"Stratified {FOLDS}-fold cross-validation",
}


@dataclass(frozen=True)
class ModelKey:
    source: Snapshot  # the database and its state: a model trained before an import is stale
    version: str
    target: str
    kind: str
    cutoff: date | None  # None: cross-validated


@dataclass(frozen=True, eq=False)
class Trained:
    run: TrainingRun
    comparison: Comparison
    curves: dict[str, pd.DataFrame]


@st.cache_resource(show_spinner=False)
def store() -> dict[object, object]:
    """Trained models and suggestions by their parameters (shared; filled by the buttons below)."""
    return {}


def labelled(table: pd.DataFrame, strings: bool = False) -> pd.DataFrame:
    """A report table ready for st.dataframe(hide_index=True): a named index (the metrics table's
    row labels) becomes a first column, `measure`, instead of being hidden."""
    shown = table.astype(str) if strings else table
    if isinstance(shown.index, pd.RangeIndex):
        return shown.reset_index(drop=True)
    return shown.rename_axis(str(shown.index.name or "measure")).reset_index()


def evaluation_of(history: pd.DataFrame, target: str, requested: str) -> tuple[bool, str]:
    """(cross-validate?, the capitals label and why) for the requested evaluation on `history`."""
    if requested == "time":
        return False, ""
    if requested == "cv":
        return True, cv_label(FOLDS)
    reason = undated_reason(history, target_named(target))
    if reason is None:
        return False, ""
    return True, f"{cv_label(FOLDS)} Chosen because {reason}."


def train_and_compare(key: ModelKey, history: pd.DataFrame, current: Published) -> Trained:
    """Train with a progress bar, then compare with the rulebook on the later period."""
    book = current.rulebook
    bar = st.progress(0.0, text="preparing leads")
    leads = with_rule_scores(history, book)
    done = [0]

    def step(name: str) -> None:
        done[0] += 1
        bar.progress(min(done[0] / (len(STEPS) + 1), 1.0), text=name)

    target = target_named(key.target)
    split = cross_validated_split(leads, target) if key.cutoff is None else None
    run = train(
        leads,
        target,
        cutoff=None if key.cutoff is None else pd.Timestamp(key.cutoff),
        split=split,
        kind=key.kind,
        resamples=RESAMPLES,
        context={"source": "dashboard", "rulebook_version": book.version},
        progress=step,
    )
    bar.progress(1.0, text="comparing with the rulebook")
    out_of_fold = run.test_probabilities if run.split.kind == CROSS_VALIDATED else None
    comparison = rules_vs_model(
        run.model, history, book, resamples=RESAMPLES, probabilities=out_of_fold
    )
    rules = rulebook_method(book, run.split.test)
    lines = curves(
        run.split.y_test, {"rulebook": rules.scores, f"model ({key.kind})": run.test_probabilities}
    )
    bar.empty()
    trained = Trained(run, comparison, lines)
    store()[key] = trained
    return trained


def suggest(
    key: ModelKey, history: pd.DataFrame, current: Published
) -> tuple[Suggestion, Comparison]:
    if key.cutoff is None:
        raise ConfigError("a suggested rulebook is measured on newer leads: it needs a time split")
    with st.spinner("Fitting a sparse logistic regression on the rule hits and candidate rules…"):
        result = suggest_and_measure(
            history,
            target_named(key.target),
            pd.Timestamp(key.cutoff),
            current.rulebook,
            yaml.safe_load(current.text),
            resamples=RESAMPLES,
        )
    store()[("suggestion", key)] = result
    return result
