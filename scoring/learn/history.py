"""The training frame from history: each lead's features as of its decision time, its outcomes after.

A rulebook (or a model) decides about a lead some days after it arrives. To learn and to compare
honestly, every lead is seen as it looked at that moment, `decision_days` after creation: only touches
before it count, and windows ("pricing views in the last 30 days") end there. One call of the feature
builder does this for all leads at once by shifting each lead's clock so that its decision time lands on
a common "as of" (touch times and creation move by the same per-lead offset; nothing else reads time).

Outcome columns are the first time the lead reached each stage (`accepted_at`: sal, `sales_qualified_at`,
`won_at`: an opportunity it is the primary contact of closed won, or, for a lead without opportunities,
its entry into `customer`: scoring.lifecycle.outcomes); NaT when it has not (yet).

The "date unknown" rule: a closed-won opportunity without a close date (an import of final outcomes
that carries no dates) leaves `won_at` NaT and sets `won_date_unknown`; readers count the lead as won
(`scoring.learn.targets.happened`) and never invent a date for it.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from scoring.features.frame import build_features
from scoring.learn.targets import DATE_UNKNOWN_SUFFIX, date_unknown_column
from scoring.lifecycle.outcomes import contact_outcomes

DECISION_DAYS = 14
STAGE_OUTCOMES = {"accepted_at": "sal", "sales_qualified_at": "sales_qualified"}


def features_at_decision(
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
    campaigns: pd.DataFrame,
    touches: pd.DataFrame,
    *,
    decision_days: float = DECISION_DAYS,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """The feature frame with every lead as of `decision_days` after its creation (+ `decision_at`)."""
    created = pd.to_datetime(contacts["created_at"])
    decision = created + pd.Timedelta(days=decision_days)
    as_of = decision.max() + pd.Timedelta(seconds=1)
    shift = pd.Series((as_of - decision).to_numpy(), index=contacts["id"].to_numpy())
    shifted_contacts = contacts.assign(created_at=created + shift.to_numpy())
    offset = shift.reindex(touches["contact_id"].to_numpy()).to_numpy()
    shifted_touches = touches.assign(occurred_at=pd.to_datetime(touches["occurred_at"]) + offset)
    leads = build_features(
        shifted_contacts,
        accounts,
        campaigns,
        shifted_touches,
        as_of=as_of.to_pydatetime(),
        competitor_domains=competitor_domains,
    )
    original = pd.Series(created.to_numpy(), index=contacts["id"].to_numpy())
    real = pd.Series(original.reindex(leads["lead_id"].to_numpy()).to_numpy(), index=leads.index)
    real = real.astype(leads["created_at"].dtype)
    timing = pd.DataFrame(
        {"created_at": real, "decision_at": real + pd.Timedelta(days=decision_days)},
        index=leads.index,
    )
    ordered = [*leads.columns, "decision_at"]
    return pd.concat([leads.drop(columns=["created_at"]), timing], axis=1)[ordered]


def outcome_times(events: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """Per contact the first time it was accepted, sales-qualified and won (NaT: never)."""
    columns = {}
    for column, stage in STAGE_OUTCOMES.items():
        reached = events[events["to_stage"] == stage]
        columns[column] = (
            pd.to_datetime(reached["occurred_at"]).groupby(reached["contact_id"]).min()
        )
    outcomes = contact_outcomes(events, opportunities)
    won = outcomes[outcomes["outcome"] == "won"]
    won_at = pd.to_datetime(won["won_at"])
    columns["won_at"] = won_at
    undated = won_at.index[won_at.isna().to_numpy()]
    columns[date_unknown_column("won_at")] = pd.Series(True, index=undated, dtype=bool)
    return pd.DataFrame(columns).rename_axis("lead_id")


def with_outcomes(leads: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """`leads` plus the outcome time columns (and date-unknown flags), matched on lead_id."""
    joined = outcomes.reindex(leads["lead_id"].to_numpy()).set_axis(leads.index)
    for column in joined.columns:
        if column.endswith(DATE_UNKNOWN_SUFFIX):
            joined[column] = joined[column].astype("boolean").fillna(False).astype(bool)
    return pd.concat([leads, joined], axis=1)


def training_frame(
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
    campaigns: pd.DataFrame,
    touches: pd.DataFrame,
    events: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    decision_days: float = DECISION_DAYS,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """Features at decision time plus outcome times: what `train` and `compare` read."""
    leads = features_at_decision(
        contacts,
        accounts,
        campaigns,
        touches,
        decision_days=decision_days,
        competitor_domains=competitor_domains,
    )
    return with_outcomes(leads, outcome_times(events, opportunities))


def mature_before(leads: pd.DataFrame, end: pd.Timestamp) -> np.ndarray:
    """Leads whose decision time has passed by `end` (younger ones cannot be scored yet)."""
    return (leads["decision_at"] <= end).to_numpy()
