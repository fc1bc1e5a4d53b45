"""The lifecycle funnel: which stages each contact reached, counts, conversion and weekly entries."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Funnel order. "customer" is where a won deal takes a contact; disqualified and nurture are exits.
FUNNEL = ("subscriber", "lead", "mql", "sal", "sales_qualified", "opportunity", "customer")
_RANK = {stage: rank for rank, stage in enumerate(FUNNEL)}


def reached_stages(contacts: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame (index contact_id, one column per funnel stage): did the contact get that far?

    A contact reached stage k when its history or its current stage shows any stage at or past k, so
    the funnel is monotone even where a source skipped a step (a contact created straight as a lead).
    """
    ids = contacts["contact_id"].to_numpy()
    best = pd.Series(-1, index=pd.Index(ids, name="contact_id"), dtype="int64")
    current = contacts["lifecycle_stage"].map(_RANK).fillna(-1).astype("int64").to_numpy()
    best[:] = np.maximum(best.to_numpy(), current)
    if len(events):
        ranks = events["to_stage"].map(_RANK).fillna(-1).astype("int64")
        history = ranks.groupby(events["contact_id"].to_numpy()).max()
        history = history.reindex(best.index, fill_value=-1)
        best[:] = np.maximum(best.to_numpy(), history.to_numpy())
    reached = {stage: best.to_numpy() >= rank for stage, rank in _RANK.items()}
    return pd.DataFrame(reached, index=best.index)


def funnel_counts(reached: pd.DataFrame) -> pd.DataFrame:
    """Contacts per funnel stage with conversion from the previous stage and from the top."""
    counts = reached[list(FUNNEL)].sum().astype("int64")
    frame = pd.DataFrame({"stage": list(FUNNEL), "contacts": counts.to_numpy()})
    previous = frame["contacts"].shift(1)
    frame["from_previous"] = (frame["contacts"] / previous).where(previous > 0)
    top = frame["contacts"].iloc[0]
    frame["from_top"] = frame["contacts"] / top if top else np.nan
    return frame


def conversion(reached: pd.DataFrame, source: str, target: str) -> float:
    """Share of contacts that reached `source` and went on to reach `target` (NaN if none)."""
    base = int(reached[source].sum())
    return float((reached[source] & reached[target]).sum() / base) if base else float("nan")


def weekly_entries(events: pd.DataFrame, stages: tuple[str, ...] = FUNNEL) -> pd.DataFrame:
    """First entry of each contact into each stage, counted per ISO week (long frame)."""
    relevant = events[events["to_stage"].isin(stages)]
    first = (
        relevant.groupby(["contact_id", "to_stage"], observed=True)["occurred_at"]
        .min()
        .reset_index()
    )
    first["week"] = first["occurred_at"].dt.to_period("W-SUN").dt.start_time
    counts = (
        first.groupby(["week", "to_stage"], observed=True).size().rename("contacts").reset_index()
    )
    return counts.rename(columns={"to_stage": "stage"})
