"""Read the lifecycle history as a frame for the pure evaluators (objectives, analytics)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import Engine, select

from scoring.db.models import Campaign, Contact, HandoffOutbox, LifecycleEvent
from scoring.objectives.measures import History


def stage_history(engine: Engine, stages: Collection[str]) -> pd.DataFrame:
    """Lifecycle events into `stages`: columns contact_id, to_stage, occurred_at (datetime64)."""
    query = select(
        LifecycleEvent.contact_id, LifecycleEvent.to_stage, LifecycleEvent.occurred_at
    ).where(LifecycleEvent.to_stage.in_(list(stages)))
    with engine.connect() as connection:
        frame = pd.DataFrame(
            connection.execute(query).all(), columns=["contact_id", "to_stage", "occurred_at"]
        )
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def objective_history(engine: Engine) -> History:
    """What `smarketing objectives check` judges: MQL, SAL and disqualification moves, each
    contact's original campaign, and every MQL handoff's queueing and delivery times."""
    events = stage_history(engine, ["mql", "sal", "disqualified"])
    campaigns_query = select(Contact.id, Campaign.code).join(
        Campaign, Campaign.id == Contact.original_campaign_id
    )
    handoffs_query = select(HandoffOutbox.created_at, HandoffOutbox.delivered_at).where(
        HandoffOutbox.topic == "handoff"
    )
    with engine.connect() as connection:
        campaigns = dict(connection.execute(campaigns_query).all())
        handoffs = pd.DataFrame(
            connection.execute(handoffs_query).all(), columns=["created_at", "delivered_at"]
        )
    for column in ("created_at", "delivered_at"):
        handoffs[column] = pd.to_datetime(handoffs[column])
    return History(events, pd.Series(campaigns, dtype=object), handoffs)
