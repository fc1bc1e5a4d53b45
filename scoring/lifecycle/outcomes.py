"""Won and lost, from opportunities when they exist: one definition for the learned model and analytics.

A contact's outcome comes from the opportunities it is the primary contact of: `won` when any of
them is won (at the earliest close of a won one; a won opportunity without a close date counts as
won, date unknown), `lost` when all are closed and none is won (at the latest close), `open`
otherwise. A contact without opportunities is won when it reached `customer` (at its first entry),
and has no outcome otherwise. An account's outcome counts all its opportunities, with or without a
contact, the same way. (docs/mapping-profiles.md, "Outcomes from opportunities".)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTCOMES = ("won", "lost", "open")
WON_STAGE = "customer"
COUNTS = ("opportunities", "won", "lost", "open", "won_amount", "won_at", "lost_at", "outcome")


def _flags(opportunities: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(won, closed) per opportunity; a frame without `is_closed` has only its wins closed."""
    won = opportunities["is_won"].astype("boolean").fillna(False).astype(bool)
    closed = won.copy()
    if "is_closed" in opportunities:
        closed |= opportunities["is_closed"].astype("boolean").fillna(False).astype(bool)
    return won, closed


def deal_outcomes(opportunities: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of column `by` (`primary_contact_id`, `account_id`): counts, dates and outcome."""
    frame = opportunities[opportunities[by].notna()] if len(opportunities) else opportunities
    if not len(frame):
        return pd.DataFrame(columns=list(COUNTS)).rename_axis(by)
    won, closed = _flags(frame)
    blank = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    closed_at = pd.to_datetime(frame["closed_at"]) if "closed_at" in frame else blank
    amount = frame["amount"].astype(float) if "amount" in frame else pd.Series(0.0, frame.index)
    rows = pd.DataFrame(
        {
            by: frame[by].to_numpy(),
            "won": won.to_numpy(),
            "lost": (closed & ~won).to_numpy(),
            "open": (~closed).to_numpy(),
            "won_amount": amount.where(won, 0.0).fillna(0.0).to_numpy(),
            "won_at": closed_at.where(won).to_numpy(),
            "lost_at": closed_at.where(closed & ~won).to_numpy(),
        }
    )
    grouped = rows.groupby(by)
    table = grouped[["won", "lost", "open"]].sum().astype("int64")
    table.insert(0, "opportunities", grouped.size().astype("int64"))
    table["won_amount"] = grouped["won_amount"].sum()
    table["won_at"] = grouped["won_at"].min()
    table["lost_at"] = grouped["lost_at"].max()
    table["outcome"] = np.select(
        [table["won"] > 0, table["open"] > 0], ["won", "open"], default="lost"
    )
    return table


def contact_outcomes(events: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """Per contact id: `outcome`, `won_at` (NaT when won without a date) and `lost_at`.

    `events` are lifecycle history rows (contact_id, to_stage, occurred_at): the fallback for
    contacts that have no opportunity.
    """
    deals = deal_outcomes(opportunities, "primary_contact_id")[["outcome", "won_at", "lost_at"]]
    reached = events[events["to_stage"] == WON_STAGE]
    entered = pd.to_datetime(reached["occurred_at"]).groupby(reached["contact_id"]).min()
    entered = entered[~entered.index.isin(deals.index)]
    staged = pd.DataFrame(
        {"outcome": "won", "won_at": entered, "lost_at": pd.NaT}, index=entered.index
    )
    parts = [part for part in (deals, staged) if len(part)]
    if not parts:
        return pd.DataFrame(columns=["outcome", "won_at", "lost_at"]).rename_axis("contact_id")
    return pd.concat(parts).rename_axis("contact_id")
