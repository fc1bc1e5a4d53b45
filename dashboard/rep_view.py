"""The Reps and territories page's tables: the load per rep, team or office and the threshold what-if
with labels in place of codes, rates in words where they have no denominator, names only for roles
that may see them."""

from __future__ import annotations

import pandas as pd

from scoring.analytics.reps import GROUPS

NO_RATE = "–"  # a rate without a denominator (no capacity, no MQL, no closed deal)
LABELS = {
    "group": "",  # named per grouping (Rep, Team, Office)
    "team": "Team",
    "office": "Office",
    "assigned": "MQLs received",
    "accepted": "Accepted by sales",
    "acceptance": "Acceptance",
    "open_past_sla": "Waiting past SLA now",
    "capacity": "Weekly capacity",
    "utilisation": "Utilisation",
    "won": "Deals won",
    "closed": "Deals closed",
    "win_rate": "Win rate",
}
RATES = ("utilisation", "acceptance", "win_rate")


def percent(rates: pd.Series) -> pd.Series:
    return rates.map(lambda r: NO_RATE if pd.isna(r) else f"{r:.0%}")


def anonymous(load: pd.DataFrame) -> pd.DataFrame:
    """The per-rep load with each rep named by id (for roles without personal fields)."""
    return load.assign(rep="Rep " + load["rep_id"].astype(str))


def load_table(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """`scoring.analytics.reps.grouped` as shown and downloaded: labelled, rates as percentages."""
    columns = [c for c in LABELS if by == "rep" or c not in ("team", "office")]
    shown = table[columns].copy()
    for column in RATES:
        shown[column] = percent(shown[column])
    if by == "rep":
        shown["group"] = shown["group"] + shown.index.map(
            lambda i: "" if table.loc[i, "active"] else " (left)"
        )
    return shown.rename(columns={**LABELS, "group": GROUPS[by]})


def demand_table(demand: pd.DataFrame, by: str) -> pd.DataFrame:
    """The what-if per team or office, labelled."""
    return pd.DataFrame(
        {
            GROUPS[by]: demand["group"],
            "MQLs per week": demand["mqls_per_week"].round(1),
            "Weekly capacity": demand["capacity"].round(0).astype("int64"),
            "Over capacity": demand["over"].map({True: "yes", False: "no"}),
        }
    )
