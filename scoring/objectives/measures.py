"""Measures of the objective kinds that read more than the lifecycle history, vectorised over windows.

Each measure takes the `History` (frames from the analytics layer), the objective and the window
ends, and returns (value per window, ok per window, cause per window): the cause names what made a
window miss where that is computable (the worst campaign), "" otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    handoffs: one row per MQL handoff (created_at, delivered_at, NaT while undelivered).
    """

    events: pd.DataFrame
    campaigns: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    handoffs: pd.DataFrame = field(default_factory=_empty_handoffs)


def _first(events: pd.DataFrame, stage: str) -> pd.Series:
    return events[events["to_stage"] == stage].groupby("contact_id")["occurred_at"].min()


def disqualified_share(history: History, objective: Objective, ends: np.ndarray) -> Measured:
    """Per window and campaign: share of the window's new MQLs disqualified by the window's end.

    The value is the worst campaign's share (campaigns with fewer than `min_mqls` new MQLs in the
    window are not judged); the cause is that campaign.
    """
    mql = _first(history.events, "mql")
    dropped = _first(history.events, "disqualified").reindex(mql.index)
    entered = mql.to_numpy(dtype="datetime64[ns]")[:, None]
    gone = dropped.to_numpy(dtype="datetime64[ns]")[:, None]
    width = objective.window_days * DAY
    new = (entered > ends - width) & (entered <= ends)  # contacts x windows
    lost = new & ~np.isnat(gone) & (gone <= ends)
    campaign = history.campaigns.reindex(mql.index).fillna("(none)").astype(str)
    totals = pd.DataFrame(new.astype(np.int64)).groupby(campaign.to_numpy()).sum()
    losses = pd.DataFrame(lost.astype(np.int64)).groupby(campaign.to_numpy()).sum()
    counted = totals.to_numpy() >= objective.target.get("min_mqls", 1)
    shares = np.where(counted, losses.to_numpy() / np.maximum(totals.to_numpy(), 1), -1.0)
    if shares.size == 0:
        nothing = np.full(len(ends), np.nan)
        return nothing, np.ones(len(ends), dtype=bool), np.full(len(ends), "", dtype=object)
    worst = shares.argmax(axis=0)
    value = shares[worst, np.arange(len(ends))]
    value = np.where(value < 0, np.nan, value)
    ok = np.isnan(value) | (value <= objective.target["max_share"])
    cause = np.where(ok, "", totals.index.to_numpy()[worst].astype(object))
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
