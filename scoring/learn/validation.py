"""Train/test splits that respect time: a cutoff split, rolling origins, and a labelled random split.

Train on leads created before the cutoff whose outcome was already known AT the cutoff; test on leads
created at or after it whose outcome is known by the end of the data. Leads too young to have an outcome
are excluded and counted in `Split.excluded`. A stratified random split exists only to reproduce published
figures; its `kind` and `description` say so wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from scoring.errors import DataError, Problem
from scoring.learn.targets import TIME_COLUMN, Target, data_end, label, outcomes_look_final

TIME = "time"
RANDOM = "stratified_random"
RANDOM_WARNING = (
    "STRATIFIED RANDOM SPLIT: for comparison with published figures only; it mixes future leads "
    "into training and overstates how well the model will do on next month's leads."
)
FINAL_NOTE = (
    " OUTCOMES TREATED AS FINAL: the leads carry no usable dates (created within one outcome window, "
    "no outcome dated), so every lead is labelled won or not won, whatever its age"
)


@dataclass(frozen=True)
class Split:
    """Training and test leads with their labels, and the leads left out (with why)."""

    kind: str
    description: str
    train: pd.DataFrame
    y_train: np.ndarray
    test: pd.DataFrame
    y_test: np.ndarray
    excluded: dict[str, int] = field(default_factory=dict)
    cutoff: str = ""
    settings: dict[str, object] = field(default_factory=dict)  # how to rebuild it (card, compare)
    folds: np.ndarray | None = None
    """Cross-validation (scoring.learn.crossval): the fold each lead is held out in; `train` and
    `test` are then the same leads, and every test lead is scored by a model that never saw it."""

    @property
    def is_random(self) -> bool:
        return self.kind == RANDOM

    @property
    def is_cross_validated(self) -> bool:
        return self.folds is not None

    @property
    def warning(self) -> str:
        """The capitals label a report shows at its top: a random split or cross-validation; a time
        split needs none."""
        if self.is_random:
            return RANDOM_WARNING
        return self.description if self.is_cross_validated else ""

    def summary(self) -> dict[str, object]:
        """Counts and positive rates, for reports and the model card."""
        return {
            "kind": self.kind,
            "description": self.description,
            "cutoff": self.cutoff,
            "train_leads": len(self.train),
            "test_leads": len(self.test),
            "train_positive_rate": float(self.y_train.mean())
            if len(self.y_train)
            else float("nan"),
            "test_positive_rate": float(self.y_test.mean()) if len(self.y_test) else float("nan"),
            "excluded": dict(self.excluded),
            **self.settings,
        }


def _stamp(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def time_split(
    leads: pd.DataFrame,
    target: Target,
    cutoff: object,
    *,
    end: object | None = None,
    as_of: object | None = None,
    time_column: str = TIME_COLUMN,
) -> Split:
    """Train on leads created before `cutoff` (labelled as of the cutoff), test on [cutoff, end).

    Args:
        cutoff: the decision date. Nothing on or after it reaches training, labels included.
        end: the end of the test period (default: everything after the cutoff).
        as_of: when test labels are read (default: the end of the data).
    """
    created = _split_column(leads, time_column)
    cut = _as_time(cutoff, created)
    final = not pd.api.types.is_datetime64_any_dtype(created)  # an order, not a time: no windows
    before = leads.loc[(created < cut).to_numpy()]
    trained = label(before, target, as_of=_label_time(cut), time_column=time_column, final=final)
    later_mask = created >= cut
    if end is not None:
        later_mask &= created < _as_time(end, created)
    later = leads.loc[later_mask.to_numpy()]
    last = None if final else data_end(leads, target, time_column) if as_of is None else as_of
    tested = label(later, target, as_of=_label_time(last), time_column=time_column, final=final)
    window = f"[{_stamp(cut)}, {_stamp(end)})" if end is not None else f"from {_stamp(cut)}"
    return Split(
        kind=TIME,
        description=f"time split: train on leads created before {_stamp(cut)}, test on leads {window}",
        train=trained.leads,
        y_train=trained.y,
        test=tested.leads,
        y_test=tested.y,
        excluded={
            "train_too_young_at_cutoff": trained.young,
            "test_too_young_at_data_end": tested.young,
        },
        cutoff=_stamp(cut),
        settings={"time_column": time_column},
    )


def require_trainable(split: Split) -> None:
    """Refuse a split that cannot train or test: a side without leads, or training of one class."""
    y_train, y_test, cutoff = split.y_train, split.y_test, split.cutoff or "of the split"
    problems = []
    if len(y_train) == 0 or len(np.unique(y_train)) < 2:
        problems.append(
            Problem(f"cutoff {cutoff}", "training needs labelled leads of both outcomes before it")
        )
    if len(y_test) == 0:
        problems.append(
            Problem(f"cutoff {cutoff}", "no later lead is old enough to have an outcome yet")
        )
    if problems:
        raise DataError(problems, source="the time split (move the cutoff)")


def _split_column(leads: pd.DataFrame, column: str) -> pd.Series:
    if column not in leads:
        shown = ", ".join(sorted(map(str, leads.columns))[:40])
        raise DataError(
            [Problem(f"split column {column!r}", f"the leads have no such column ({shown})")],
            source="the time split",
        )
    return leads[column]


def _as_time(value: object, column: pd.Series) -> object:
    """The cutoff in the split column's type: a timestamp for dates, a number for numeric columns."""
    try:
        if pd.api.types.is_datetime64_any_dtype(column):
            return pd.Timestamp(value)  # type: ignore[arg-type]
        if pd.api.types.is_numeric_dtype(column) and isinstance(value, str):
            return float(value)
    except (ValueError, TypeError) as exc:
        kind = "a date" if pd.api.types.is_datetime64_any_dtype(column) else "a number"
        raise DataError(
            [
                Problem(
                    f"cutoff {value!r}", f"the split column {column.name!r} needs {kind} ({exc})"
                )
            ],
            source="the time split",
        ) from None
    return value


def _label_time(value: object) -> pd.Timestamp | None:
    return value if isinstance(value, pd.Timestamp) else None


def random_split(
    leads: pd.DataFrame,
    target: Target,
    *,
    test_size: float = 0.25,
    seed: int = 0,
    as_of: object | None = None,
    time_column: str = TIME_COLUMN,
    final: bool | None = None,
) -> Split:
    """A stratified random split, labelled as such: only for comparison with published figures.

    Args:
        final: treat every outcome as final (label every lead); None: when the leads carry no usable
            dates (`outcomes_look_final`), which the description then says in capitals.
    """
    if final is None:
        final = outcomes_look_final(leads, target, time_column)
    known = label(leads, target, as_of=_label_time(as_of), time_column=time_column, final=final)
    if len(known.y) < 4 or len(np.unique(known.y)) < 2 or np.bincount(known.y).min() < 2:
        raise DataError(
            [Problem("random split", "needs at least two labelled leads of each outcome")],
            source="the leads",
        )
    positions = np.arange(len(known.leads))
    train_at, test_at = train_test_split(
        positions, test_size=test_size, stratify=known.y, random_state=seed
    )
    return Split(
        kind=RANDOM,
        description=RANDOM_WARNING + (FINAL_NOTE if final else ""),
        train=known.leads.iloc[np.sort(train_at)],
        y_train=known.y[np.sort(train_at)],
        test=known.leads.iloc[np.sort(test_at)],
        y_test=known.y[np.sort(test_at)],
        excluded={"too_young_at_data_end": known.young},
        settings={
            "time_column": time_column,
            "seed": seed,
            "test_size": test_size,
            "final_outcomes": bool(final),
        },
    )


def rolling_origins(
    leads: pd.DataFrame,
    target: Target,
    origins: Sequence[object],
    *,
    time_column: str = TIME_COLUMN,
) -> Iterator[Split]:
    """One time split per origin; each tests on the leads up to the next origin (the last: to the end)."""
    ordered = sorted(origins)  # type: ignore[type-var]
    for at, origin in enumerate(ordered):
        end = ordered[at + 1] if at + 1 < len(ordered) else None
        yield time_split(leads, target, origin, end=end, time_column=time_column)


def even_origins(
    leads: pd.DataFrame, folds: int, *, first: float = 0.5, time_column: str = TIME_COLUMN
) -> list[pd.Timestamp]:
    """`folds` origins spread evenly over the later part of the creation times (from quantile `first`)."""
    created = leads[time_column]
    quantiles = np.linspace(first, 1.0, folds + 1)[:-1]
    return [pd.Timestamp(created.quantile(q)).normalize() for q in quantiles]
