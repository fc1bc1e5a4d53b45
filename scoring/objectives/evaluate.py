"""Evaluate objectives over the lifecycle history: daily windows, error budget left and burn rate.

Each objective is judged on one window per day over the last `horizon_days` before `at`; a window
misses when its measure is outside the target. Budget left = 1 - misses / (budget * windows); burn
rate = share of missed windows / budget (1.0 spends the budget exactly over the horizon). The objective
is breached when the budget is spent or the current window misses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from scoring.objectives.measures import History, Measured, disqualified_share, handoff_lag
from scoring.objectives.spec import Objective

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Status:
    """The verdict on one objective at one instant."""

    name: str
    breached: bool
    current: float
    budget_left: float
    burn_rate: float
    windows: int
    missed: int
    cause: str = ""
    """What made the current (or last missed) window miss, where computable: the worst campaign."""


def _first_entries(events: pd.DataFrame, stage: str) -> pd.Series:
    """First time each contact entered `stage` (index contact_id, datetime64 values)."""
    rows = events[events["to_stage"] == stage]
    return rows.groupby("contact_id")["occurred_at"].min()


def _window_ends(at: datetime, horizon_days: int) -> np.ndarray:
    end = np.datetime64(pd.Timestamp(at).value, "ns")
    return end - np.arange(horizon_days)[::-1] * DAY


def _mql_volume(
    events: pd.DataFrame, objective: Objective, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    times = np.sort(_first_entries(events, "mql").to_numpy(dtype="datetime64[ns]"))
    width = objective.window_days * DAY
    counts = np.searchsorted(times, ends, side="right") - np.searchsorted(
        times, ends - width, side="right"
    )
    weekly = counts * 7.0 / objective.window_days
    ok = (weekly >= objective.target["min"]) & (weekly <= objective.target["max"])
    return weekly, ok


def _acceptance_sla(
    events: pd.DataFrame, objective: Objective, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    mql = _first_entries(events, "mql")
    sal = _first_entries(events, "sal").reindex(mql.index)
    entered = mql.to_numpy(dtype="datetime64[ns]")
    accepted = sal.to_numpy(dtype="datetime64[ns]")
    limit = np.timedelta64(int(objective.target["within_hours"] * 3600), "s")
    on_time_at = entered + limit  # the instant an MQL's verdict is known
    on_time = ~np.isnat(accepted) & (accepted <= on_time_at)
    order = np.argsort(on_time_at)
    due, good = on_time_at[order], on_time[order].astype(np.int64)
    cumulative = np.concatenate([[0], np.cumsum(good)])
    width = objective.window_days * DAY
    hi = np.searchsorted(due, ends, side="right")
    lo = np.searchsorted(due, ends - width, side="right")
    total = hi - lo
    share = np.divide(
        cumulative[hi] - cumulative[lo], total, out=np.full(len(ends), np.nan), where=total > 0
    )
    ok = np.isnan(share) | (share >= objective.target["min_share"])
    return share, ok


def _on_events(
    measure: Callable[[pd.DataFrame, Objective, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> Callable[[History, Objective, np.ndarray], Measured]:
    def measured(history: History, objective: Objective, ends: np.ndarray) -> Measured:
        values, ok = measure(history.events, objective, ends)
        return values, ok, np.full(len(ends), "", dtype=object)

    return measured


MEASURES: dict[str, Callable[[History, Objective, np.ndarray], Measured]] = {
    "mql_volume": _on_events(_mql_volume),
    "acceptance_sla": _on_events(_acceptance_sla),
    "disqualified_share": disqualified_share,
    "handoff_lag": handoff_lag,
}


def _cause(ok: np.ndarray, causes: np.ndarray) -> str:
    """The cause of the current window's miss, else of the latest missed window."""
    missed = np.flatnonzero(~ok)
    return str(causes[missed[-1]]) if len(missed) else ""


def evaluate(
    objectives: list[Objective],
    events: pd.DataFrame | History,
    at: datetime,
    horizon_days: int = 28,
) -> list[Status]:
    """Statuses of `objectives` at `at` from a History, or from a lifecycle events frame alone
    (contact_id, to_stage, occurred_at)."""
    history = events if isinstance(events, History) else History(events)
    history = History(
        history.events[history.events["occurred_at"] <= pd.Timestamp(at)],
        history.campaigns,
        history.handoffs[history.handoffs["created_at"] <= pd.Timestamp(at)],
    )
    ends = _window_ends(at, horizon_days)
    statuses = []
    for objective in objectives:
        values, ok, causes = MEASURES[objective.kind](history, objective, ends)
        missed = int((~ok).sum())
        allowed = objective.error_budget * horizon_days
        budget_left = (
            1.0 - missed / allowed if allowed else (1.0 if missed == 0 else -float(missed))
        )
        burn = (
            (missed / horizon_days) / objective.error_budget
            if objective.error_budget
            else float(missed > 0)
        )
        statuses.append(
            Status(
                objective.name,
                breached=bool(budget_left <= 0 or not ok[-1]),
                current=float(values[-1]),
                budget_left=float(budget_left),
                burn_rate=float(burn),
                windows=horizon_days,
                missed=missed,
                cause=_cause(ok, causes),
            )
        )
    return statuses
