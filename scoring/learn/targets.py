"""What the model predicts: outcome targets, their horizons, and labelling leads "as of" a date.

A target is an outcome event with a horizon: a lead is positive when the event happened within
`horizon_days` of the lead's creation. A lead whose horizon has not yet closed at the "as of" date is
too young to have an outcome: it is excluded from training and evaluation and counted, never labelled
negative (that would teach the model that new leads are bad).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TIME_COLUMN = "created_at"


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
) -> Labelled:
    """Label the leads whose outcome window closed by `as_of`; count the ones that are too young.

    The event column holds the time the outcome happened (NaT: not happened). A boolean event column is
    an outcome known at creation (a data set with only a label): every lead is mature.
    """
    events = leads[target.event_column]
    if pd.api.types.is_bool_dtype(events) or pd.api.types.is_integer_dtype(events):
        return Labelled(leads, events.to_numpy().astype(np.int8), 0)
    as_of = data_end(leads, target, time_column) if as_of is None else pd.Timestamp(as_of)
    created = leads[time_column]
    window_end = created + target.horizon
    mature = (window_end <= as_of).to_numpy()
    happened = events.notna() & (events <= window_end) & (events <= as_of)
    y = happened.to_numpy()[mature].astype(np.int8)
    return Labelled(leads.loc[mature], y, int((~mature).sum()))
