"""Lifecycle flows: transition counts (for a Sankey), time in stage, and SLA breaches, vectorised."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd

CREATED = "(created)"


def transition_counts(events: pd.DataFrame) -> pd.DataFrame:
    """How many applied moves went from each stage to each other stage (source, target, count)."""
    source = events["from_stage"].fillna(CREATED)
    counts = events.groupby([source.rename("source"), events["to_stage"].rename("target")]).size()
    return (
        counts.rename("count")
        .reset_index()
        .sort_values("count", ascending=False, ignore_index=True)
    )


def _stays(events: pd.DataFrame, now: datetime) -> pd.DataFrame:
    ordered = events.sort_values(["contact_id", "occurred_at", "event_id"])
    left = ordered["occurred_at"]
    right = ordered.groupby("contact_id")["occurred_at"].shift(-1)
    open_stay = right.isna()
    right = right.fillna(pd.Timestamp(now))
    days = (right - left).dt.total_seconds() / 86400.0
    return pd.DataFrame({"stage": ordered["to_stage"], "days": days, "open": open_stay})


def time_in_stage(events: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Per stage: completed stays (median, p90 days) and contacts still in it (with median age)."""
    stays = _stays(events, now)
    done = stays[~stays["open"]].groupby("stage")["days"]
    still = stays[stays["open"]].groupby("stage")["days"]
    frame = pd.DataFrame(
        {
            "completed": done.size(),
            "median_days": done.median(),
            "p90_days": done.quantile(0.9),
            "in_stage_now": still.size(),
            "median_age_days": still.median(),
        }
    )
    frame[["completed", "in_stage_now"]] = (
        frame[["completed", "in_stage_now"]].fillna(0).astype("int64")
    )
    return frame.reset_index(names="stage")


def business_due(entered_at: pd.Series, business_days: int) -> pd.Series:
    """Vectorised `scoring.lifecycle.sla.due_at` (weekends off; no holidays).

    An entry on a weekend starts the clock at midnight of the next business day.
    """
    day = entered_at.dt.normalize()
    start = day.to_numpy(dtype="datetime64[D]")
    on_business_day = np.is_busday(start)
    rolled = np.busday_offset(start, 0, roll="forward")
    due_day = np.busday_offset(rolled, business_days, roll="forward")
    time_of_day = np.where(on_business_day, (entered_at - day).to_numpy(), np.timedelta64(0, "ns"))
    return pd.Series(due_day.astype("datetime64[ns]") + time_of_day, index=entered_at.index)


def sla_breaches(events: pd.DataFrame, slas: Mapping[str, int], now: datetime) -> pd.DataFrame:
    """Every stay (closed or still open at `now`) that outlived its stage's SLA in business days.

    Returns contact_id, stage, entered_at, due_at, left_at (NaT while still in the stage), late_days.
    """
    ordered = events.sort_values(["contact_id", "occurred_at", "event_id"])
    stays = pd.DataFrame(
        {
            "contact_id": ordered["contact_id"],
            "stage": ordered["to_stage"],
            "entered_at": ordered["occurred_at"],
            "left_at": ordered.groupby("contact_id")["occurred_at"].shift(-1),
        }
    )
    stays = stays[stays["stage"].isin(list(slas))]
    parts = []
    for stage, limit in slas.items():
        part = stays[stays["stage"] == stage].copy()
        part["due_at"] = business_due(part["entered_at"], limit)
        parts.append(part)
    if not parts:
        return stays.assign(due_at=pd.Series(pd.NaT, index=stays.index), late_days=np.nan)
    stays = pd.concat(parts)
    end = stays["left_at"].fillna(pd.Timestamp(now))
    late = stays[end > stays["due_at"]].copy()
    late["late_days"] = (end[late.index] - late["due_at"]).dt.total_seconds() / 86400.0
    return late.sort_values("due_at", ignore_index=True)
