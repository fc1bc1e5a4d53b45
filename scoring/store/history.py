"""Read the lifecycle history as a frame for the pure evaluators (objectives, analytics)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import Engine, select

from scoring.db.models import LifecycleEvent


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
