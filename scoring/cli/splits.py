"""How `smarketing train` evaluates: a time split at a cutoff, stratified cross-validation for leads
without usable dates, or a labelled random split; `auto` chooses between the first two."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from scoring.errors import ConfigError, DataError, Problem
from scoring.learn.targets import Target

if TYPE_CHECKING:
    from scoring.learn.validation import Split  # scikit-learn: imported only when training

EVALUATIONS = ("auto", "time", "cv", "random")


def target_option(name: str, horizon_days: float | None = None) -> Target:
    from scoring.learn import target_named

    try:
        return target_named(name, horizon_days)
    except KeyError as exc:
        raise ConfigError(f"--target: {exc.args[0]}") from None


def split_of(
    leads: pd.DataFrame,
    target: Target,
    kind: str,
    cutoff: str | None,
    column: str,
    folds: int = 5,
) -> tuple[Split, str]:
    """The split `smarketing train` asked for, and the line saying what `auto` chose and why."""
    from scoring.learn.crossval import CROSS_VALIDATED, choose_evaluation, cross_validated_split
    from scoring.learn.validation import random_split, time_split

    check_split(kind, cutoff)
    chosen = choose_evaluation(leads, target, kind, cutoff, time_column=column, folds=folds)
    if chosen.kind == CROSS_VALIDATED:
        split = cross_validated_split(leads, target, folds=folds, time_column=column)
        return split, chosen.message
    if chosen.kind == "random":
        return random_split(leads, target, time_column=column), ""
    return _usable(time_split(leads, target, str(cutoff), time_column=column), leads, target), ""


def _usable(split: Split, leads: pd.DataFrame, target: Target) -> Split:
    """`split`, or its refusal with a hint where the leads carry no usable dates."""
    from scoring.learn.crossval import undated_reason
    from scoring.learn.validation import require_trainable

    try:
        require_trainable(split)
    except DataError as refused:
        reason = undated_reason(leads, target, str(split.settings.get("time_column")))
        if reason is None:
            raise
        hint = Problem("--cutoff", f"{reason}: leave out --cutoff to cross-validate instead")
        raise DataError([*refused.problems, hint], source=refused.source) from None
    return split


def check_split(kind: str, cutoff: str | None) -> None:
    """Refuse an unusable --evaluation/--cutoff combination before any lead is read."""
    if kind not in EVALUATIONS:
        raise ConfigError(f"--evaluation {kind!r}: choose {', '.join(EVALUATIONS)}")
    if kind == "random" and cutoff is not None:
        raise ConfigError("--cutoff belongs to the time split; a random split takes none")
    if kind == "cv" and cutoff is not None:
        raise ConfigError("--cutoff belongs to the time split; cross-validation takes none")
    if kind == "time" and cutoff is None:
        raise ConfigError(
            "--evaluation time needs --cutoff DATE (or --evaluation cv for an export without dates)"
        )
