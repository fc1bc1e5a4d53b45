"""Per-campaign (or per-channel) performance: volume, conversion, disqualification, revenue, cost, speed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.analytics.disqualification import disqualified

COLUMNS = (
    "contacts", "reached_mql", "mql_rate", "accepted", "acceptance", "sales_qualified", "won",
    "win_rate", "disqualified", "disqualification_rate", "revenue", "cost", "cost_per_mql",
    "cost_per_win", "median_days_to_mql", "median_days_mql_to_sal",
)  # fmt: skip


def _first_entry(events: pd.DataFrame, stage: str) -> pd.Series:
    rows = events[events["to_stage"] == stage]
    return rows.groupby("contact_id")["occurred_at"].min()


def _days_between(events: pd.DataFrame, source: str, target: str) -> pd.Series:
    start, end = _first_entry(events, source), _first_entry(events, target)
    both = pd.concat([start.rename("start"), end.rename("end")], axis=1, join="inner")
    return (both["end"] - both["start"]).dt.total_seconds() / 86400.0


def campaign_table(
    contacts: pd.DataFrame,
    reached: pd.DataFrame,
    events: pd.DataFrame,
    opportunities: pd.DataFrame,
    campaigns: pd.DataFrame,
    by: str = "campaign",
) -> pd.DataFrame:
    """One row per campaign (by="campaign") or channel (by="channel"), most contacts first.

    Columns: contacts (every contact of the group, whatever its stage), reached_mql (reached MQL or
    went past it), mql_rate (reached_mql / contacts), accepted (reached SAL), acceptance (accepted /
    reached_mql), sales_qualified, won, win_rate (won / contacts), disqualified (contacts moved to
    `disqualified` at least once, or there now), disqualification_rate (disqualified / contacts),
    revenue (won amounts), cost, cost_per_mql, cost_per_win, median_days_to_mql (creation → MQL),
    median_days_mql_to_sal.
    """
    keys = contacts.set_index("contact_id")[by].fillna("(none)").astype(str)
    frame = reached.join(keys.rename("group")).join(disqualified(contacts, events).rename("dq"))
    table = frame.groupby("group").agg(
        contacts=("lead", "size"),
        reached_mql=("mql", "sum"),
        accepted=("sal", "sum"),
        sales_qualified=("sales_qualified", "sum"),
        won=("customer", "sum"),
        disqualified=("dq", "sum"),
    )
    table["mql_rate"] = table["reached_mql"] / table["contacts"]
    table["acceptance"] = (table["accepted"] / table["reached_mql"]).where(table["reached_mql"] > 0)
    table["win_rate"] = table["won"] / table["contacts"]
    table["disqualification_rate"] = table["disqualified"] / table["contacts"]
    won = opportunities[opportunities["is_won"]]
    revenue = won.groupby(won["contact_id"].map(keys))["amount"].sum()
    table["revenue"] = revenue.reindex(table.index).fillna(0.0)
    cost = (
        campaigns.assign(group=campaigns[by].astype(str)).groupby("group")["cost"].sum(min_count=1)
    )
    table["cost"] = cost.reindex(table.index)
    table["cost_per_mql"] = (table["cost"] / table["reached_mql"]).where(table["reached_mql"] > 0)
    table["cost_per_win"] = (table["cost"] / table["won"]).where(table["won"] > 0)
    created = contacts.set_index("contact_id")["created_at"]
    to_mql = (
        _first_entry(events, "mql") - created.reindex(_first_entry(events, "mql").index)
    ).dt.days
    table["median_days_to_mql"] = to_mql.groupby(keys.reindex(to_mql.index)).median()
    mql_to_sal = _days_between(events, "mql", "sal")
    table["median_days_mql_to_sal"] = mql_to_sal.groupby(keys.reindex(mql_to_sal.index)).median()
    table = table.replace([np.inf, -np.inf], np.nan)[list(COLUMNS)]
    return table.reset_index(names=by).sort_values("contacts", ascending=False, ignore_index=True)
