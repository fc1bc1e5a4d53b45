"""What the model predicts: outcome targets, their horizons, and labelling leads "as of" a date.

A target is an outcome event with a horizon: a lead is positive when the event happened within
`horizon_days` of the lead's creation. A lead whose horizon has not yet closed at the "as of" date is
too young to have an outcome: it is excluded from training and evaluation and counted, never labelled
negative (that would teach the model that new leads are bad).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

TIME_COLUMN = "created_at"
DATE_UNKNOWN_SUFFIX = "_date_unknown"


@dataclass(frozen=True)
class Target:
    """An outcome event column and the window within which it counts."""

    name: str
    event_column: str
    horizon_days: float
    description: str

    @property
    def horizon(self) -> pd.Timedelta:
        return pd.Timedelta(days=self.horizon_days)

    @property
    def unknown_column(self) -> str:
        """The flag column of leads whose outcome happened at an unknown time (see `date_unknown`)."""
        return date_unknown_column(self.event_column)


def date_unknown_column(event_column: str) -> str:
    """`won_at` -> `won_date_unknown`: True where the outcome happened but its date is not known."""
    return event_column.removesuffix("_at") + DATE_UNKNOWN_SUFFIX


def happened(leads: pd.DataFrame, event_column: str) -> np.ndarray:
    """Per lead: did the outcome happen at all (a date, or the date-unknown flag)? The "date unknown" rule.

    An imported won outcome without a close date keeps `won_at` empty (NaT) and sets `won_date_unknown`;
    every reader counts it as won, none invents a date for it.
    """
    events = leads[event_column]
    if pd.api.types.is_bool_dtype(events) or pd.api.types.is_integer_dtype(events):
        return events.to_numpy().astype(bool)
    flags = date_unknown_flags(leads, event_column)
    return events.notna().to_numpy() | flags


def date_unknown_flags(leads: pd.DataFrame, event_column: str) -> np.ndarray:
    """The `<outcome>_date_unknown` flags of `leads` (all False when the frame has no such column)."""
    column = date_unknown_column(event_column)
    if column not in leads:
        return np.zeros(len(leads), dtype=bool)
    return leads[column].fillna(False).to_numpy().astype(bool)


TARGETS: dict[str, Target] = {
    "sales_accepted": Target(
        "sales_accepted", "accepted_at", 30, "a rep accepted the lead (SAL) within 30 days"
    ),
    "sales_qualified": Target(
        "sales_qualified",
        "sales_qualified_at",
        60,
        "sales qualified the lead within 60 days",
    ),
    "won": Target("won", "won_at", 120, "an opportunity of the lead closed won within 120 days"),
}


@dataclass(frozen=True)
class Labelled:
    """Leads that have an outcome, their 0/1 labels, and how many were too young to have one."""

    leads: pd.DataFrame
    y: np.ndarray
    young: int


def target_named(name: str, horizon_days: float | None = None) -> Target:
    """The built-in target `name` (sales_accepted, sales_qualified, won), optionally re-windowed."""
    key = name.replace("-", "_")
    if key not in TARGETS:
        raise KeyError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    target = TARGETS[key]
    if horizon_days is None:
        return target
    return Target(target.name, target.event_column, horizon_days, target.description)


def data_end(leads: pd.DataFrame, target: Target, time_column: str = TIME_COLUMN) -> pd.Timestamp:
    """The latest moment the frame knows about: its newest lead or newest outcome event."""
    latest = leads[time_column].max()
    events = leads[target.event_column]
    if not pd.api.types.is_bool_dtype(events) and events.notna().any():
        latest = max(latest, events.max())
    return pd.Timestamp(latest)


def label(
    leads: pd.DataFrame,
    target: Target,
    as_of: pd.Timestamp | None = None,
    time_column: str = TIME_COLUMN,
    *,
    final: bool = False,
) -> Labelled:
    """Label the leads whose outcome window closed by `as_of`; count the ones that are too young.

    The event column holds the time the outcome happened (NaT: not happened). A boolean event column is
    an outcome known at creation (a data set with only a label): every lead is mature. A lead flagged
    `<outcome>_date_unknown` is positive and mature (its outcome is final, only its date is missing).
    `final=True` treats every outcome as final (an export of final outcomes): every lead is labelled.
    """
    events = leads[target.event_column]
    if pd.api.types.is_bool_dtype(events) or pd.api.types.is_integer_dtype(events):
        return Labelled(leads, events.to_numpy().astype(np.int8), 0)
    unknown = date_unknown_flags(leads, target.event_column)
    if final:
        return Labelled(leads, happened(leads, target.event_column).astype(np.int8), 0)
    as_of = data_end(leads, target, time_column) if as_of is None else pd.Timestamp(as_of)
    created = leads[time_column]
    window_end = created + target.horizon
    mature = (window_end <= as_of).to_numpy() | unknown
    dated = (events.notna() & (events <= window_end) & (events <= as_of)).to_numpy()
    y = (dated | unknown)[mature].astype(np.int8)
    return Labelled(leads.loc[mature], y, int((~mature).sum()))


def outcomes_look_final(
    leads: pd.DataFrame, target: Target, time_column: str = TIME_COLUMN
) -> bool:
    """True when the frame cannot date its outcomes: its leads were all created within one horizon of
    each other and no outcome carries a date (an export of final outcomes, imported at one moment),
    or `time_column` holds no times at all (a number or a category: no window to wait for).

    A boolean label column is final by itself (`label` needs no help there): False.
    """
    events = leads[target.event_column]
    if pd.api.types.is_bool_dtype(events) or pd.api.types.is_integer_dtype(events):
        return False
    created = times_of(leads[time_column])
    if created is None:
        return True
    span = created.max() - created.min() if len(created) else pd.Timedelta(0)
    return bool(events.notna().sum() == 0 and span < target.horizon)


def times_of(column: pd.Series) -> pd.Series | None:
    """`column` as timestamps (dates kept as text are parsed); None when it holds something else."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": fine here
            return pd.to_datetime(column)
    except (ValueError, TypeError, OverflowError):
        return None
