"""Stratified k-fold cross-validation, for leads without a usable time order, and the automatic choice.

Most CRM exports carry final outcomes and no dates: every imported lead is "created" at import time,
so a time split finds no lead old enough to test on. Cross-validation then measures the model on every
labelled lead: each lead is scored by a model fitted on the other folds (out of fold), the rulebook's
probabilities are calibrated out of fold the same way, and every metric keeps its bootstrap interval.
Its `kind`, its description, the model card and every report say so IN CAPITALS. Where the leads carry
real dates the time-ordered split stays the default (`choose_evaluation`).

    split = cross_validated_split(leads, target_named("won"), folds=5)
    probabilities = out_of_fold(kind, schema, schema.prepare(split.test), split.y_test, split.folds)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from scoring.errors import DataError, Problem
from scoring.learn.pipelines import fit_model
from scoring.learn.schema import FeatureSchema
from scoring.learn.targets import TIME_COLUMN, Target, label, times_of
from scoring.learn.validation import FINAL_NOTE, TIME, Split

CROSS_VALIDATED = "stratified_cv"
FOLDS = 5
AUTO = "auto"
CV = "cv"


def cv_label(folds: int) -> str:
    """The capitals label of a cross-validated evaluation (card, reports, dashboard)."""
    return (
        f"STRATIFIED {folds}-FOLD CROSS-VALIDATION: every lead is scored by a model fitted on the "
        "other folds, never on itself; the leads carry no usable time order, so this measures how "
        "well leads like these are told apart, not how the model will do on next month's leads."
    )


def undated_reason(
    leads: pd.DataFrame, target: Target, time_column: str = TIME_COLUMN
) -> str | None:
    """Why the leads cannot be split in time (None: they can).

    No dates in `time_column`; or every lead created within one outcome window (an import without
    creation dates stamps all leads with its own time); or no outcome of the target carries a date
    (an export of final outcomes).
    """
    if time_column not in leads:
        return f"the leads have no column {time_column!r} to order them by"
    created = times_of(leads[time_column])
    if created is None:
        return f"the split column {time_column!r} holds no dates"
    events = leads[target.event_column]
    if pd.api.types.is_bool_dtype(events) or pd.api.types.is_integer_dtype(events):
        return f"the outcome {target.event_column!r} is a final label without dates"
    span = created.max() - created.min() if created.notna().any() else pd.Timedelta(0)
    if span < target.horizon:
        days = span / pd.Timedelta(days=1)
        return (
            f"all {len(leads):,} leads were created within {days:.0f} days of each other (an import "
            f"without creation dates stamps them with its own time), less than the "
            f"{target.horizon_days:g}-day outcome window"
        )
    if events.notna().sum() == 0:
        return f"no {target.name} outcome carries a date (final outcomes)"
    return None


@dataclass(frozen=True)
class Evaluation:
    """The evaluation chosen for a training run, and why (a line for the user)."""

    kind: str
    message: str


def choose_evaluation(
    leads: pd.DataFrame,
    target: Target,
    requested: str,
    cutoff: object | None,
    *,
    time_column: str = TIME_COLUMN,
    folds: int = FOLDS,
) -> Evaluation:
    """`requested` (auto, time, cv, random) resolved on `leads`: auto takes the time split when a
    cutoff is given, cross-validation when the leads carry no usable dates, and otherwise asks for a
    cutoff (DataError naming the creation dates and a cutoff to try)."""
    if requested != AUTO:
        return Evaluation(CROSS_VALIDATED if requested == CV else requested, "")
    if cutoff is not None:
        return Evaluation(TIME, "")
    reason = undated_reason(leads, target, time_column)
    if reason is not None:
        return Evaluation(
            CROSS_VALIDATED,
            f"evaluation: STRATIFIED {folds}-FOLD CROSS-VALIDATION, because {reason} "
            "(give --cutoff DATE for a time split where leads carry real dates)",
        )
    created = pd.to_datetime(leads[time_column])
    suggested = pd.Timestamp(created.sort_values().iloc[int(0.6 * (len(created) - 1))])
    raise DataError(
        [
            Problem(
                f"--cutoff (leads created {created.min().date()} to {created.max().date()})",
                f"the leads carry dates: give --cutoff DATE for the time-ordered split (e.g. "
                f"--cutoff {suggested.date()}), or --evaluation cv",
            )
        ],
        source="the evaluation",
    )


def cross_validated_split(
    leads: pd.DataFrame,
    target: Target,
    *,
    folds: int = FOLDS,
    seed: int = 0,
    time_column: str = TIME_COLUMN,
    final: bool | None = None,
) -> Split:
    """Every labelled lead in both `train` and `test`, with `folds[i]` the fold lead i is held out in.

    Args:
        final: label every lead won or not won, whatever its age; None: when the leads carry no
            usable dates (`undated_reason`).
    """
    if final is None:
        final = undated_reason(leads, target, time_column) is not None
    known = label(leads, target, time_column=time_column, final=final)
    counts = np.bincount(known.y, minlength=2) if len(known.y) else np.zeros(2, dtype=int)
    if folds < 2 or counts.min() < folds:
        raise DataError(
            [
                Problem(
                    f"{folds}-fold cross-validation",
                    f"needs at least {max(folds, 2)} labelled leads of each outcome "
                    f"(found {counts[1]} positive, {counts[0]} negative)",
                )
            ],
            source="the leads",
        )
    fold = np.empty(len(known.y), dtype=np.int64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for index, (_, held) in enumerate(splitter.split(np.zeros(len(known.y)), known.y)):
        fold[held] = index
    return Split(
        kind=CROSS_VALIDATED,
        description=cv_label(folds) + (FINAL_NOTE if final else ""),
        train=known.leads,
        y_train=known.y,
        test=known.leads,
        y_test=known.y,
        excluded={"too_young_at_data_end": known.young},
        settings={
            "time_column": time_column,
            "seed": seed,
            "folds": folds,
            "final_outcomes": bool(final),
        },
        folds=fold,
    )


def out_of_fold(
    kind: str,
    schema: FeatureSchema,
    features: pd.DataFrame,
    y: np.ndarray,
    folds: np.ndarray,
    *,
    seed: int = 0,
) -> np.ndarray:
    """Each lead's probability from a model of `kind` fitted on the other folds (prepared features)."""
    probabilities = np.empty(len(y), dtype=float)
    for fold in np.unique(folds):
        held = folds == fold
        estimator = fit_model(kind, schema, features.iloc[~held], y[~held], seed=seed)
        probabilities[held] = estimator.predict_proba(features.iloc[held])[:, 1]
    return probabilities


def platt_out_of_fold(scores: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Rule scores mapped to probabilities by a logistic fit on the other folds (Platt scaling)."""
    probabilities = np.empty(len(y), dtype=float)
    column = np.asarray(scores, dtype=float).reshape(-1, 1)
    for fold in np.unique(folds):
        held = folds == fold
        platt = LogisticRegression().fit(column[~held], y[~held])
        probabilities[held] = platt.predict_proba(column[held])[:, 1]
    return probabilities
