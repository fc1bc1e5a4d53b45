"""What contributed to an objective's current window: one small table per kind, largest share first.

    table = contributions(objective, history, at)   # columns: what, window, before, change

`what` names the campaign, gate, rule or probability band; `window` is its measure in the window
ending at `at`; `before` the same over the comparison (the previous windows, the other campaigns,
the drift baseline, or what happened for predicted probabilities); `change` = window - before.
Rows are sorted by how much they move the measure (|change|, weighted by leads where shares differ
in size).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd

from scoring.objectives.lead_measures import BINS, baseline_slice, bounds
from scoring.objectives.leads import NO_CAMPAIGN, LeadHistory
from scoring.objectives.measures import DAY, History
from scoring.objectives.spec import Objective

COLUMNS = ["what", "window", "before", "change"]
HEADINGS = {
    "mql_volume": ("Campaign", "MQLs in the window", "MQLs per window before"),
    "acceptance_sla": ("Campaign", "MQLs late in the window", "Late per window before"),
    "disqualified_share": ("Campaign", "Disqualified share", "Share of the other campaigns"),
    "gate_failure_rate": ("Gate", "Share failing", "Share before"),
    "score_drift": ("Rule", "Hit rate", "Hit rate at the baseline"),
    "model_calibration": ("Predicted probability", "Predicted", "Happened"),
}
"""Per kind, the headings of `what`, `window` and `before` (handoff lag has no breakdown)."""


def _table(
    what: pd.Index, window: np.ndarray, before: np.ndarray, weight: np.ndarray | None = None
) -> pd.DataFrame:
    """Sorted by |change| x weight (how much each row moves the objective's measure)."""
    table = pd.DataFrame({"what": what.astype(str), "window": window, "before": before}).fillna(0.0)
    table["change"] = table["window"] - table["before"]
    moved = table["change"].abs().to_numpy() * (1.0 if weight is None else weight)
    order = np.argsort(-moved, kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _entries(history: History, stage: str) -> pd.Series:
    events = history.events
    rows = events[events["to_stage"] == stage]
    return rows.groupby("contact_id")["occurred_at"].min()


def _campaign_counts(history: History, times: pd.Series, end: np.datetime64, width: np.timedelta64,
                     windows: int) -> pd.DataFrame:  # fmt: skip
    """Per campaign: how many `times` fall in the window and, on average, in the `windows` before."""
    when = times.to_numpy(dtype="datetime64[ns]")
    campaign = history.campaigns.reindex(times.index).fillna(NO_CAMPAIGN).astype(str).to_numpy()
    now = (when > end - width) & (when <= end)
    past = (when > end - width * (windows + 1)) & (when <= end - width)
    counts = pd.DataFrame({"campaign": campaign, "now": now, "past": past}).groupby("campaign")
    return counts[["now", "past"]].sum().assign(past=lambda f: f["past"] / windows)


def _mql_volume(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    counts = _campaign_counts(history, _entries(history, "mql"), end, _width(objective), 3)
    return _table(counts.index, counts["now"].to_numpy(float), counts["past"].to_numpy())


def _acceptance_sla(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    mql = _entries(history, "mql")
    accepted = _entries(history, "sal").reindex(mql.index)
    limit = pd.Timedelta(hours=objective.target["within_hours"])
    due = mql + limit
    late = due[~(accepted.notna() & (accepted <= due))]
    counts = _campaign_counts(history, late, end, _width(objective), 3)
    return _table(counts.index, counts["now"].to_numpy(float), counts["past"].to_numpy())


def _disqualified_share(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    mql = _entries(history, "mql")
    dropped = _entries(history, "disqualified").reindex(mql.index)
    entered = mql.to_numpy(dtype="datetime64[ns]")
    gone = dropped.to_numpy(dtype="datetime64[ns]")
    width = _width(objective)
    lost = ~np.isnat(gone) & (gone <= end)
    campaign = history.campaigns.reindex(mql.index).fillna(NO_CAMPAIGN).astype(str).to_numpy()
    new = (entered > end - width) & (entered <= end)
    frame = pd.DataFrame({"campaign": campaign, "new": new, "lost": new & lost})
    sums = frame.groupby("campaign")[["new", "lost"]].sum()
    others_new, others_lost = sums["new"].sum() - sums["new"], sums["lost"].sum() - sums["lost"]
    judged = sums["new"] >= objective.target["min_mqls"]
    return _table(
        sums.index[judged],
        (sums["lost"] / sums["new"])[judged].to_numpy(),
        (others_lost / others_new.where(others_new > 0))[judged].to_numpy(),
        sums["new"][judged].to_numpy(float),
    )


def _slices(objective: Objective, leads: LeadHistory, end: np.datetime64) -> tuple[slice, slice]:
    width = _width(objective)
    lo, hi = bounds(leads.decided_at, np.array([end, end - width]), width)
    return slice(int(lo[0]), int(hi[0])), slice(int(lo[1]), int(hi[1]))


def _gate_failure_rate(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    leads = history.leads
    if leads is None or not leads.gates:
        return pd.DataFrame(columns=COLUMNS)
    window, before = _slices(objective, leads, end)
    rates = [leads.failed[s].mean(axis=0) if s.stop > s.start else np.zeros(len(leads.gates))
             for s in (window, before)]  # fmt: skip
    return _table(pd.Index(leads.gates), *rates)


def _score_drift(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    leads = history.leads
    if leads is None or not leads.rules:
        return pd.DataFrame(columns=COLUMNS)
    window, before = _slices(objective, leads, end)
    base = baseline_slice(leads, _width(objective), objective.target["min_leads"]) or before
    if window.stop == window.start or base.stop == base.start:
        return pd.DataFrame(columns=COLUMNS)
    rates = leads.hit[window].mean(axis=0), leads.hit[base].mean(axis=0)
    return _table(pd.Index(leads.rules), *rates)


def _model_calibration(objective: Objective, history: History, end: np.datetime64) -> pd.DataFrame:
    leads = history.leads
    if leads is None or leads.closed_at is None:
        return pd.DataFrame(columns=COLUMNS)
    closed, probability, outcome = leads.closed_at, leads.probability, leads.outcome
    if probability is None or outcome is None:
        return pd.DataFrame(columns=COLUMNS)
    inside = ~np.isnat(closed) & (closed > end - _width(objective)) & (closed <= end)
    inside &= np.isfinite(probability)
    p, y = probability[inside], outcome[inside]
    bands = np.minimum((p * BINS).astype(np.int64), BINS - 1)
    grouped = pd.DataFrame({"band": bands, "p": p, "y": y}).groupby("band")
    frame = grouped[["p", "y"]].mean()
    names = pd.Index([f"{b * 10}-{b * 10 + 10}%" for b in frame.index])
    return _table(names, frame["p"].to_numpy(), frame["y"].to_numpy(), grouped.size().to_numpy())


def _width(objective: Objective) -> np.timedelta64:
    return objective.window_days * DAY


BREAKDOWNS: dict[str, Callable[[Objective, History, np.datetime64], pd.DataFrame]] = {
    "mql_volume": _mql_volume,
    "acceptance_sla": _acceptance_sla,
    "disqualified_share": _disqualified_share,
    "gate_failure_rate": _gate_failure_rate,
    "score_drift": _score_drift,
    "model_calibration": _model_calibration,
}


def likely_cause(objective: Objective, history: History, at: datetime) -> str:
    """The row of `contributions` that moved the measure most, in words ("" without one)."""
    table = contributions(objective, history, at)
    if table.empty:
        return ""
    what = HEADINGS[objective.kind][0].lower()
    return f"{what} {table['what'].iloc[0]}"


def contributions(objective: Objective, history: History, at: datetime) -> pd.DataFrame:
    """What contributed to `objective`'s window ending at `at` (empty for kinds without one)."""
    breakdown = BREAKDOWNS.get(objective.kind)
    if breakdown is None:
        return pd.DataFrame(columns=COLUMNS)
    return breakdown(objective, history, np.datetime64(pd.Timestamp(at).value, "ns"))
