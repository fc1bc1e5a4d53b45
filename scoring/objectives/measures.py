"""Measures of the objective kinds that read more than the lifecycle history, vectorised over windows.

Each measure takes the `History` (frames from the analytics layer), the objective and the window
ends, and returns (value per window, ok per window, cause per window): the cause names what made a
window miss where that is computable (the worst campaign), "" otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.objectives.leads import LeadHistory
from scoring.objectives.spec import Objective

DAY = np.timedelta64(1, "D")
Measured = tuple[np.ndarray, np.ndarray, np.ndarray]


def _empty_handoffs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "created_at": pd.Series(dtype="datetime64[ns]"),
            "delivered_at": pd.Series(dtype="datetime64[ns]"),
        }
    )


@dataclass(frozen=True)
class History:
    """What objectives are judged on.

    events: lifecycle moves (contact_id, to_stage, occurred_at); campaigns: contact_id -> campaign;
    handoffs: one row per MQL handoff (created_at, delivered_at, NaT while undelivered);
    leads: every lead at its decision time, scored by the rulebook in force (the lead-level kinds).
    """

    events: pd.DataFrame
    campaigns: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    handoffs: pd.DataFrame = field(default_factory=_empty_handoffs)
    leads: LeadHistory | None = None

    @cached_property
    def _entries(self) -> dict[str, pd.Series]:
        return {}

    def first(self, stage: str) -> pd.Series:
        """First time each contact entered `stage` (index contact_id; read once per History)."""
        if stage not in self._entries:
            rows = self.events[self.events["to_stage"] == stage]
            self._entries[stage] = rows.groupby("contact_id")["occurred_at"].min()
        return self._entries[stage]


def disqualified_share(history: History, objective: Objective, ends: np.ndarray) -> Measured:
    """Per window and campaign: share of the window's new MQLs disqualified by the window's end.

    The value is the worst campaign's share (campaigns with fewer than `min_mqls` new MQLs in the
    window are not judged); the cause is that campaign. MQLs are sorted by entry, so each window
    is one slice counted per campaign by a bincount.
    """
    mql = history.first("mql")
    order = np.argsort(mql.to_numpy(dtype="datetime64[ns]"), kind="stable")
    entered = mql.to_numpy(dtype="datetime64[ns]")[order]
    gone = history.first("disqualified").reindex(mql.index).to_numpy(dtype="datetime64[ns]")[order]
    labels = history.campaigns.reindex(mql.index).fillna("(none)").astype(str).to_numpy()[order]
    codes, names = pd.factorize(labels, sort=True)
    if not len(names):
        nothing = np.full(len(ends), np.nan)
        return nothing, np.ones(len(ends), dtype=bool), np.full(len(ends), "", dtype=object)
    width = objective.window_days * DAY
    lo = np.searchsorted(entered, ends - width, side="right")
    hi = np.searchsorted(entered, ends, side="right")
    totals = np.zeros((len(names), len(ends)), dtype=np.int64)
    losses = np.zeros_like(totals)
    for i in range(len(ends)):
        window = slice(int(lo[i]), int(hi[i]))
        totals[:, i] = np.bincount(codes[window], minlength=len(names))
        lost = ~np.isnat(gone[window]) & (gone[window] <= ends[i])
        losses[:, i] = np.bincount(codes[window][lost], minlength=len(names))
    counted = totals >= objective.target.get("min_mqls", 1)
    shares = np.where(counted, losses / np.maximum(totals, 1), -1.0)
    worst = shares.argmax(axis=0)
    value = shares[worst, np.arange(len(ends))]
    value = np.where(value < 0, np.nan, value)
    ok = np.isnan(value) | (value <= objective.target["max_share"])
    cause = np.where(ok, "", np.asarray(names, dtype=object)[worst])
    return value, ok, cause


def handoff_lag(history: History, objective: Objective, ends: np.ndarray) -> Measured:
    """Per window: p99 minutes from a handoff's queueing to its delivery, for the window's handoffs.

    A handoff still undelivered at the window's end counts with its wait so far.
    """
    created = history.handoffs["created_at"].to_numpy(dtype="datetime64[ns]")[:, None]
    delivered = history.handoffs["delivered_at"].to_numpy(dtype="datetime64[ns]")[:, None]
    width = objective.window_days * DAY
    inside = (created > ends - width) & (created <= ends)
    done = ~np.isnat(delivered) & (delivered <= ends)
    finish = np.where(done, delivered, ends)
    minutes = (finish - created) / np.timedelta64(1, "m")
    lags = np.where(inside, minutes, np.nan)
    value = np.full(len(ends), np.nan)
    judged = inside.any(axis=0)
    if judged.any():
        value[judged] = np.nanquantile(lags[:, judged], 0.99, axis=0)
    ok = np.isnan(value) | (value <= objective.target["max_minutes"])
    return value, ok, np.full(len(ends), "", dtype=object)
