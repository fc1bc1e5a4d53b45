"""Train one model end to end: split in time, check leakage, infer the schema, fit, evaluate, write the card.

    run = train(leads, target_named("won"), cutoff="2025-01-01", kind="boosting")
    run.model.card.to_markdown()

`progress(step)` is called once per step (a CLI turns it into a progress bar); the core prints nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scoring.errors import ConfigError
from scoring.learn.card import NOT_FEATURE, ModelCard
from scoring.learn.crossval import out_of_fold
from scoring.learn.evaluation import drift, evaluate
from scoring.learn.kinds import STEPS
from scoring.learn.leakage import LeakageReport, check_leakage, decision
from scoring.learn.model import TrainedModel
from scoring.learn.pipelines import BOOSTING, fit_model
from scoring.learn.schema import infer_schema
from scoring.learn.targets import TARGETS, TIME_COLUMN, Target, date_unknown_column
from scoring.learn.validation import Split, require_trainable, rolling_origins, time_split

ID_COLUMNS = ("lead_id", "id", "contact_id", "external_id")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TrainingRun:
    """The trained model plus what it was trained and tested on."""

    model: TrainedModel
    split: Split
    leakage: LeakageReport
    test_probabilities: np.ndarray
    skipped: Mapping[str, str]


def outcome_columns(target: Target, time_column: str = TIME_COLUMN) -> tuple[str, ...]:
    """Columns that are never features: outcomes of every target, the time column, lead ids."""
    outcomes = {t.event_column for t in TARGETS.values()} | {target.event_column}
    flags = {date_unknown_column(column) for column in outcomes}
    return (*sorted(outcomes), *sorted(flags), time_column, "decision_at", *ID_COLUMNS)


def feature_frame(
    leads: pd.DataFrame, target: Target, not_features: Iterable[str] = ()
) -> pd.DataFrame:
    """The candidate feature columns of `leads`: everything but outcomes, time, ids and `not_features`."""
    dropped = set(outcome_columns(target)) | set(not_features)
    # A custom field is in the frame twice: typed for rules (`custom.visits`) and as its attribute
    # (`visits` or `attributes.visits`); the model learns from the attribute, once.
    present = set(leads.columns)
    twins = {
        c
        for c in present
        if c.startswith("custom.")
        and {c.removeprefix("custom."), "attributes." + c.removeprefix("custom.")} & present
    }
    return leads[[c for c in leads.columns if c not in dropped | twins]]


def data_hash(features: pd.DataFrame, y: np.ndarray) -> str:
    """sha256 of the training rows (values and column names) and their labels."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, features.columns)).encode())
    digest.update(pd.util.hash_pandas_object(features, index=False).to_numpy().tobytes())
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    return digest.hexdigest()


def train(
    leads: pd.DataFrame,
    target: Target,
    *,
    cutoff: object | None = None,
    split: Split | None = None,
    kind: str = BOOSTING,
    declared: Mapping[str, str] | Iterable[str] = (),
    known_at_creation: Mapping[str, str] | Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
    not_features: Iterable[str] = (),
    time_column: str = TIME_COLUMN,
    seed: int = 0,
    resamples: int = 200,
    threads: int | None = 1,
    context: Mapping[str, object] | None = None,
    progress: Progress | None = None,
) -> TrainingRun:
    """Train `kind` on the leads before `cutoff` (or on `split`) and evaluate it on the later leads.

    A cross-validated split (scoring.learn.crossval) evaluates on every lead out of fold and saves
    the model fitted on all of them.

    Args:
        declared: columns declared post-outcome (e.g. by a mapping profile), with where it was declared.
        known_at_creation: columns declared known at creation: exempt from the inferred leakage
            signals (recorded in the card).
        overrides: flagged column -> reason to keep it anyway (recorded in the card and reports).
        context: where the leads came from (data source, decision days), copied into the card.
        threads: native threads for fitting (None: all cores). One by default: on a shared machine
            OpenMP oversubscription made gradient boosting several times slower, never faster.
    """
    step = progress or (lambda _name: None)
    not_features = _known_columns(leads, target, not_features)
    if split is None:
        if cutoff is None:
            raise ValueError("give a cutoff date or a split")
        split = time_split(leads, target, cutoff, time_column=time_column)
    step(STEPS[0])
    require_trainable(split)
    # Stable, missing values last; a text column (a random split's category) sorts as text.
    ordered = split.train[time_column].reset_index(drop=True)
    order = ordered.sort_values(kind="stable", na_position="last").index.to_numpy()
    train_features = feature_frame(split.train.iloc[order], target, (*not_features, time_column))
    y_train = split.y_train[order]
    leakage = check_leakage(
        train_features,
        y_train,
        declared=declared,
        known_at_creation=known_at_creation,
        overrides=overrides,
        seed=seed,
    )
    step(STEPS[1])
    schema, skipped = infer_schema(train_features, exclude=leakage.excluded)
    prepared = schema.prepare(train_features)
    with threadpool_limits(limits=threads):
        estimator = fit_model(kind, schema, prepared, y_train, seed=seed)
        step(STEPS[2])
        if split.folds is not None:
            probabilities = out_of_fold(
                kind, schema, schema.prepare(split.test), split.y_test, split.folds, seed=seed
            )
        else:
            probabilities = np.asarray(estimator.predict_proba(schema.prepare(split.test))[:, 1])
    metrics = evaluate(split.y_test, probabilities, resamples=resamples, seed=seed)
    card = ModelCard(
        kind=kind,
        target=_target_card(target),
        split=split.summary()
        | drift(split.y_train, split.y_test, probabilities)
        | ({"fit_seed": seed} if split.folds is not None else {}),  # compare refits the folds
        training_window=_window(split.train, time_column),
        features=schema.as_dict(),
        excluded=[
            {"column": f.column, "signal": f.signal, "evidence": f.evidence}
            for f in leakage.excluding
        ]
        + [{"column": c, "signal": "unusable", "evidence": why} for c, why in skipped.items()]
        + [
            {"column": c, "signal": NOT_FEATURE, "evidence": "left out on request"}
            for c in not_features
        ],
        overrides=dict(leakage.overrides),
        leakage_notes=[
            {
                "column": f.column,
                "signal": f.signal,
                "evidence": f.evidence,
                "decision": decision(f, leakage.overrides),
            }
            for f in leakage.noted
        ],
        data_hash=data_hash(prepared, y_train),
        metrics={name: estimate.as_dict() for name, estimate in metrics.items()},
        context=dict(context or {}),
    )
    step(STEPS[3])
    return TrainingRun(
        TrainedModel(estimator, schema, card), split, leakage, probabilities, skipped
    )


def _known_columns(leads: pd.DataFrame, target: Target, names: Iterable[str]) -> tuple[str, ...]:
    """`names` (columns to leave out), refused when one is not a column of `leads` (a typo)."""
    chosen = tuple(dict.fromkeys(names))
    unknown = [name for name in chosen if name not in leads.columns]
    if unknown:
        candidates = ", ".join(map(str, feature_frame(leads, target).columns))
        raise ConfigError(
            f"no such column to leave out: {', '.join(map(repr, unknown))} (the leads' feature "
            f"columns are: {candidates})"
        )
    return chosen


def _target_card(target: Target) -> dict[str, object]:
    return {
        "name": target.name,
        "event_column": target.event_column,
        "horizon_days": target.horizon_days,
        "description": target.description,
    }


def _window(train: pd.DataFrame, time_column: str) -> dict[str, str]:
    if time_column not in train or len(train) == 0:
        return {"first": "", "last": ""}
    return {"first": str(train[time_column].min()), "last": str(train[time_column].max())}


def backtest(
    leads: pd.DataFrame,
    target: Target,
    origins: Sequence[object],
    *,
    kind: str = BOOSTING,
    resamples: int = 200,
    progress: Progress | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Rolling-origin backtest: train at each origin, test up to the next; one row per fold.

    Each row has the fold's window, its lead and positive counts, the leads left out as too young, and
    ROC AUC with its bootstrap 95% interval. `options` go to `train` (declared, overrides, ...).
    """
    rows = []
    for split in rolling_origins(leads, target, origins):
        if len(split.test) == 0 or split.y_test.min() == split.y_test.max():
            continue
        run = train(leads, target, split=split, kind=kind, resamples=resamples, **options)
        auc = run.model.card.metrics["roc_auc"]
        rows.append(
            {
                "origin": split.cutoff,
                "train_leads": len(split.train),
                "test_leads": len(split.test),
                "test_positives": int(split.y_test.sum()),
                "too_young": sum(split.excluded.values()),
                "roc_auc": auc["value"],
                "roc_auc_low": auc["low"],
                "roc_auc_high": auc["high"],
                "train_positive_rate": float(split.y_train.mean()),
                "test_positive_rate": float(split.y_test.mean()),
            }
        )
        if progress is not None:
            progress(f"fold {split.cutoff}")
    return pd.DataFrame(rows)
