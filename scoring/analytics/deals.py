"""Opportunity analytics: won, lost and open deals per account, rep or product (pure, over frames).

The counting is scoring.lifecycle.outcomes.deal_outcomes, the same definition the training frame
reads contacts' outcomes from; opportunities without a contact count for their account.
"""

from __future__ import annotations

import pandas as pd

from scoring.lifecycle.outcomes import deal_outcomes


def deal_table(opportunities: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of `by` (`account_id`, `owner_rep_id`, `product`, ...): opportunities, won, lost,
    open, won_amount, win_rate (won / closed; NaN before any closes), won_at, lost_at, outcome."""
    table = deal_outcomes(opportunities, by)
    closed = (table["won"] + table["lost"]).astype(float)
    win_rate = (table["won"].astype(float) / closed).where(closed > 0)
    return table.assign(win_rate=win_rate)


def account_outcomes(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Per account: its opportunities counted as won, lost and open (see `deal_table`)."""
    return deal_table(opportunities, "account_id")
