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

from scoring.objectives.lead_measures import gate_failure_rate, model_calibration, score_drift
from scoring.objectives.leads import LeadHistory
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
    """What made the current (or last missed) window miss, where computable: the worst campaign,
    the failing gate, the rules that moved; without data, why there is none."""
    no_data: bool = False
    """No window of the horizon had enough data to be judged (e.g. no model in force)."""

    @property
    def state(self) -> str:
        """ "breached", "no data" or "ok"."""
        return "breached" if self.breached else "no data" if self.no_data else "ok"


def _window_ends(at: datetime, horizon_days: int) -> np.ndarray:
    end = np.datetime64(pd.Timestamp(at).value, "ns")
    return end - np.arange(horizon_days)[::-1] * DAY


def _mql_volume(history: History, objective: Objective, ends: np.ndarray) -> Measured:
    times = np.sort(history.first("mql").to_numpy(dtype="datetime64[ns]"))
    width = objective.window_days * DAY
    counts = np.searchsorted(times, ends, side="right") - np.searchsorted(
        times, ends - width, side="right"
    )
    weekly = counts * 7.0 / objective.window_days
    ok = (weekly >= objective.target["min"]) & (weekly <= objective.target["max"])
    return weekly, ok, np.full(len(ends), "", dtype=object)


def _acceptance_sla(history: History, objective: Objective, ends: np.ndarray) -> Measured:
    mql = history.first("mql")
    sal = history.first("sal").reindex(mql.index)
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
    return share, ok, np.full(len(ends), "", dtype=object)


def _on_leads(
    measure: Callable[[LeadHistory | None, Objective, np.ndarray], Measured],
) -> Callable[[History, Objective, np.ndarray], Measured]:
    def measured(history: History, objective: Objective, ends: np.ndarray) -> Measured:
        return measure(history.leads, objective, ends)

    return measured


MEASURES: dict[str, Callable[[History, Objective, np.ndarray], Measured]] = {
    "mql_volume": _mql_volume,
    "acceptance_sla": _acceptance_sla,
    "disqualified_share": disqualified_share,
    "handoff_lag": handoff_lag,
    "gate_failure_rate": _on_leads(gate_failure_rate),
    "score_drift": _on_leads(score_drift),
    "model_calibration": _on_leads(model_calibration),
}


def _cause(ok: np.ndarray, causes: np.ndarray) -> str:
    """The cause of the current window's miss, else of the latest missed window."""
    missed = np.flatnonzero(~ok)
    return str(causes[missed[-1]]) if len(missed) else ""


def _known_at(history: History, at: datetime) -> History:
    moment = pd.Timestamp(at)
    return History(
        history.events[history.events["occurred_at"] <= moment],
        history.campaigns,
        history.handoffs[history.handoffs["created_at"] <= moment],
        None if history.leads is None else history.leads.until(np.datetime64(moment.value, "ns")),
    )


def _budget(missed: np.ndarray, objective: Objective, horizon_days: int) -> tuple[np.ndarray, ...]:
    """Budget left and burn rate for arrays of missed-window counts over the horizon."""
    allowed = objective.error_budget * horizon_days
    spent = missed / allowed if allowed else np.where(missed == 0, 0.0, missed + 1.0)
    budget = objective.error_budget
    burn = missed / horizon_days / budget if budget else (missed > 0).astype(float)
    return 1.0 - spent, burn


def timeline(
    objectives: list[Objective],
    events: pd.DataFrame | History,
    at: datetime,
    horizon_days: int = 28,
    days: int = 1,
) -> pd.DataFrame:
    """Each objective's verdict on each of the `days` days up to `at`, as the check on that day
    would have given it: one row per objective and day (objective, at, value, met, missed,
    windows, budget_left, burn_rate, breached, judged: windows with a measure, cause: of the
    latest miss, no_data_cause: why the day's window has no measure)."""
    history = _known_at(events if isinstance(events, History) else History(events), at)
    ends = _window_ends(at, horizon_days + days - 1)
    rows = []
    for objective in objectives:
        values, ok, causes = MEASURES[objective.kind](history, objective, ends)
        misses = np.concatenate([[0], np.cumsum(~ok)])
        missed = misses[horizon_days:] - misses[:-horizon_days]  # per day: misses over its horizon
        left, burn = _budget(missed, objective, horizon_days)
        judged = np.concatenate([[0], np.cumsum(~np.isnan(values))])
        shown = slice(horizon_days - 1, None)
        rows.append(
            pd.DataFrame(
                {
                    "objective": objective.name,
                    "at": ends[shown],
                    "value": values[shown],
                    "met": ok[shown],
                    "missed": missed,
                    "windows": horizon_days,
                    "budget_left": left,
                    "burn_rate": burn,
                    "breached": (left <= 0) | ~ok[shown],
                    "judged": judged[horizon_days:] - judged[:-horizon_days],
                    "cause": [
                        _cause(ok[i : i + horizon_days], causes[i : i + horizon_days])
                        for i in range(days)
                    ],
                    "no_data_cause": causes[shown],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def evaluate(
    objectives: list[Objective],
    events: pd.DataFrame | History,
    at: datetime,
    horizon_days: int = 28,
) -> list[Status]:
    """Statuses of `objectives` at `at` from a History, or from a lifecycle events frame alone
    (contact_id, to_stage, occurred_at)."""
    if not objectives:
        return []
    today = timeline(objectives, events, at, horizon_days, days=1)
    return [
        Status(
            str(row["objective"]),
            breached=bool(row["breached"]),
            current=float(row["value"]),
            budget_left=float(row["budget_left"]),
            burn_rate=float(row["burn_rate"]),
            windows=horizon_days,
            missed=int(row["missed"]),
            cause=str(row["cause"] if row["judged"] else row["no_data_cause"]),
            no_data=not row["judged"],
        )
        for row in today.to_dict("records")
    ]
