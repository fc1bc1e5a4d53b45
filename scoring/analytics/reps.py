"""Reps and territories: each rep's (team's, office's) MQLs of one week against capacity, and which
groups a moved MQL threshold would push over capacity. Frames in, frames out.

    handed = handovers(assignments, events, contacts)                 # who received which MQL, when
    load = rep_load(reps, handed, reached, late, opportunities, start=monday, end=next_monday)
    table = grouped(load, "team")                                     # or "rep", "office"
    demand = threshold_demand(scores, placed, created, reps, threshold=55, default=60, by="office",
                              start=first_day, end=last_day)
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from scoring.analytics.territories import NO_OFFICE, NO_TEAM

GROUPS = {"rep": "Rep", "team": "Team", "office": "Office"}
LOAD_COLUMNS = ("assigned", "accepted", "open_past_sla", "capacity", "won", "closed")


def handovers(
    assignments: pd.DataFrame, events: pd.DataFrame, contacts: pd.DataFrame
) -> pd.DataFrame:
    """Who received which MQL and when: every row of `assignments` (the handoff's record), plus, for
    contacts with no such row (imported histories), their entries into `mql` credited to the
    contact's owner now.

    Returns contact_id, rep_id, at, recorded (True: an assignment row).
    """
    recorded = pd.DataFrame(
        {
            "contact_id": assignments["contact_id"].astype("int64"),
            "rep_id": assignments["rep_id"].astype("int64"),
            "at": pd.to_datetime(assignments["assigned_at"]),
            "recorded": True,
        }
    )
    entries = events[
        (events["to_stage"] == "mql") & ~events["contact_id"].isin(recorded["contact_id"])
    ]
    owners = contacts.set_index("contact_id")["owner_rep_id"]
    inferred = pd.DataFrame(
        {
            "contact_id": entries["contact_id"].astype("int64"),
            "rep_id": entries["contact_id"].map(owners),
            "at": pd.to_datetime(entries["occurred_at"]),
            "recorded": False,
        }
    ).dropna(subset=["rep_id"])
    inferred["rep_id"] = inferred["rep_id"].astype("int64")
    return pd.concat([recorded, inferred], ignore_index=True)


def rep_load(
    reps: pd.DataFrame,
    handed: pd.DataFrame,
    reached: pd.DataFrame,
    late_mqls: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    """One row per rep: MQLs received in [start, end), how many of those sales accepted (reached
    SAL), MQLs they own still waiting past the SLA, weekly capacity (0 when inactive), and their
    closed and won deals (all time).

    Args:
        reps: rep_id, name, team, office, weekly_capacity, active.
        handed: from `handovers`.
        reached: index contact_id, boolean column `sal` (scoring.analytics.reached_stages).
        late_mqls: contact_id, owner_rep_id of contacts waiting at mql past their SLA now.
        opportunities: owner_rep_id, is_closed, is_won.
    """
    week = handed[(handed["at"] >= pd.Timestamp(start)) & (handed["at"] < pd.Timestamp(end))]
    accepted = week["contact_id"].map(reached["sal"]).fillna(False).astype(bool)
    deals = opportunities.dropna(subset=["owner_rep_id"])
    closed = deals[deals["is_closed"].fillna(False).astype(bool)]
    ids = reps["rep_id"].astype("int64")

    def per_rep(keys: pd.Series, values: pd.Series | None = None) -> np.ndarray:
        counted = (values if values is not None else pd.Series(1, index=keys.index)).groupby(
            keys.astype("int64").to_numpy()
        )
        return counted.sum().reindex(ids.to_numpy(), fill_value=0).to_numpy(dtype=np.int64)

    active = reps["active"].fillna(False).astype(bool)
    return pd.DataFrame(
        {
            "rep_id": ids.to_numpy(),
            "rep": reps["name"].astype(object).fillna("Rep " + ids.astype(str)).to_numpy(),
            "team": reps["team"].astype(object).fillna(NO_TEAM).to_numpy(),
            "office": reps["office"].astype(object).fillna(NO_OFFICE).to_numpy(),
            "active": active.to_numpy(),
            "assigned": per_rep(week["rep_id"]),
            "accepted": per_rep(week["rep_id"], accepted.astype("int64")),
            "open_past_sla": per_rep(late_mqls["owner_rep_id"].dropna()),
            "capacity": reps["weekly_capacity"]
            .fillna(0)
            .astype("int64")
            .where(active, 0)
            .to_numpy(),
            "won": per_rep(closed["owner_rep_id"], closed["is_won"].fillna(False).astype("int64")),
            "closed": per_rep(closed["owner_rep_id"]),
        }
    )


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype(float)


def grouped(load: pd.DataFrame, by: str) -> pd.DataFrame:
    """The load per rep, team or office with utilisation (received / capacity), acceptance
    (accepted / received) and win rate (won / closed); a rate is NaN where its denominator is 0."""
    if by not in GROUPS:
        raise ValueError(f"group by one of {', '.join(GROUPS)}, not {by!r}")
    if by == "rep":
        table = load.rename(columns={"rep": "group"}).drop(columns=["rep_id"])
    else:
        sums = load.groupby(by, sort=True)[list(LOAD_COLUMNS)].sum()
        table = sums.assign(reps=load.groupby(by).size(), active=True).reset_index()
        table = table.rename(columns={by: "group"})
    return table.assign(
        utilisation=_rate(table["assigned"], table["capacity"]),
        acceptance=_rate(table["accepted"], table["assigned"]),
        win_rate=_rate(table["won"], table["closed"]),
    )


def demand_inputs(
    scores: pd.DataFrame,
    placed: pd.DataFrame,
    created: pd.Series,
    *,
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    """What every threshold of the what-if reads, joined once: the leads created in [start, end) whose
    every gate passed, with score, threshold, team and office (a slider move then only compares).

    Args:
        scores: lead_id, score, threshold, failed_gates ("" when every gate passed).
        placed: contact_id, team, office (scoring.analytics.territories.place).
        created: contact_id -> created_at.
    """
    passed = scores["failed_gates"].fillna("").astype(str).to_numpy() == ""
    leads = scores.loc[passed, ["lead_id", "score", "threshold"]]
    ids = leads["lead_id"].astype("int64").to_numpy()
    when = pd.to_datetime(created.reindex(ids).to_numpy())
    window = (when >= pd.Timestamp(start)) & (when < pd.Timestamp(end))
    where = placed.set_index("contact_id").reindex(columns=["team", "office"]).reindex(ids[window])
    return pd.DataFrame(
        {
            "score": leads["score"].to_numpy(dtype=float)[window],
            "threshold": leads["threshold"].to_numpy(dtype=float)[window],
            "team": where["team"].to_numpy(dtype=object),
            "office": where["office"].to_numpy(dtype=object),
        }
    ).assign(weeks=max((pd.Timestamp(end) - pd.Timestamp(start)) / pd.Timedelta(days=7), 1 / 7))


def demand_at(
    inputs: pd.DataFrame, reps: pd.DataFrame, *, threshold: float, default: float, by: str
) -> pd.DataFrame:
    """MQLs per week each team or office would receive if the default threshold moved to
    `threshold` (segment thresholds keep their distance to it), against its weekly capacity.

    `inputs` is demand_inputs(...). Returns one row per group: group, mqls_per_week, capacity, over
    (mqls_per_week > capacity).
    """
    if by not in ("team", "office"):
        raise ValueError(f"group by team or office, not {by!r}")
    weeks = float(inputs["weeks"].iloc[0]) if len(inputs) else 1.0
    moved = inputs["threshold"].to_numpy(dtype=float) + (threshold - default)
    qualifies = inputs["score"].to_numpy(dtype=float) >= moved
    per_group = inputs.loc[qualifies, by].value_counts() / weeks
    active = reps[reps["active"].fillna(False).astype(bool)]
    capacity = (
        active.assign(
            group=active[by].astype(object).fillna(NO_OFFICE if by == "office" else NO_TEAM)
        )
        .groupby("group")["weekly_capacity"]
        .sum()
    )
    names = sorted(set(per_group.index) | set(capacity.index))
    demand = pd.DataFrame(
        {
            "group": names,
            "mqls_per_week": per_group.reindex(names, fill_value=0.0).to_numpy(dtype=float),
            "capacity": capacity.reindex(names, fill_value=0).to_numpy(dtype=float),
        }
    )
    return demand.assign(over=demand["mqls_per_week"] > demand["capacity"])


def threshold_demand(
    scores: pd.DataFrame,
    placed: pd.DataFrame,
    created: pd.Series,
    reps: pd.DataFrame,
    *,
    threshold: float,
    default: float,
    by: str,
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    """demand_at over demand_inputs: counts the leads created in [start, end) whose stored score
    reaches their moved threshold with every gate passed, per week of that span; no rule is evaluated
    again. One call; a page moving a slider keeps demand_inputs and calls demand_at."""
    if by not in ("team", "office"):
        raise ValueError(f"group by team or office, not {by!r}")
    inputs = demand_inputs(scores, placed, created, start=start, end=end)
    return demand_at(inputs, reps, threshold=threshold, default=default, by=by)
