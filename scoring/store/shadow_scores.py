"""Writes and reads of shadow scores: the candidate rulebook's score per lead, apart from lead_scores.

The write paths (event, queue and batch scoring) hand a frame of candidate scores to
`store_shadow_scores`, in their own transaction; nothing here touches lead_scores, the lifecycle or
the outbox, so a shadow score can never be handed off.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from scoring.db.models import Contact, LeadScore
from scoring.db.reading import read_frame
from scoring.db.shadow import ShadowScore

SHADOW = cast(Table, ShadowScore.__table__)
CHUNK = 5_000


def _gates(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(g) for g in value]
    return str(value).split(",") if value else []


def store_shadow_scores(
    connection: Connection,
    frame: pd.DataFrame,
    *,
    rulebook_version: str,
    shadow_version: str,
    canary: Collection[int] = (),
    as_of: datetime,
    now: datetime,
) -> int:
    """Upsert the candidate's score of every lead of `frame` (lead_id, score, fit, engagement,
    threshold, failed_gates as a list or comma-separated text); returns the rows written."""
    if frame.empty:
        return 0
    numbers = {
        c: frame[c].to_numpy(dtype=np.float64).tolist()
        for c in ("score", "fit", "engagement", "threshold")
    }
    ids = frame["lead_id"].to_numpy(dtype=np.int64).tolist()
    gates = frame["failed_gates"].tolist()
    chosen = set(canary)
    rows: list[dict[str, Any]] = [
        {
            "contact_id": lead,
            **{c: numbers[c][i] for c in numbers},
            "failed_gates": _gates(gates[i]),
            "rulebook_version": rulebook_version,
            "shadow_version": shadow_version,
            "canary": lead in chosen,
            "scored_at": now,
            "as_of": as_of,
        }
        for i, lead in enumerate(ids)
    ]
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        SHADOW
    )
    upsert = insert.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={c.name: insert.excluded[c.name] for c in SHADOW.c if c.name != "contact_id"},
    )
    for start in range(0, len(rows), CHUNK):
        connection.execute(upsert, rows[start : start + CHUNK])
    return len(rows)


def paired_scores(connection: Connection, shadow_version: str) -> pd.DataFrame:
    """Per lead scored by both: the live score (lead_scores) beside the shadow's, with its stage.

    Columns: lead_id, stage, canary, live_version, live_score, live_threshold, live_gates,
    shadow_score, shadow_threshold, shadow_gates (gates as comma-separated text).
    """
    query = (
        select(
            SHADOW.c.contact_id.label("lead_id"),
            Contact.lifecycle_stage.label("stage"),
            SHADOW.c.canary,
            LeadScore.rulebook_version.label("live_version"),
            LeadScore.score.label("live_score"),
            LeadScore.threshold.label("live_threshold"),
            LeadScore.failed_gates.label("live_gates"),
            SHADOW.c.score.label("shadow_score"),
            SHADOW.c.threshold.label("shadow_threshold"),
            SHADOW.c.failed_gates.label("shadow_gates"),
        )
        .join(LeadScore, LeadScore.contact_id == SHADOW.c.contact_id)
        .join(Contact, Contact.id == SHADOW.c.contact_id)
        .where(SHADOW.c.shadow_version == shadow_version)
        .order_by(SHADOW.c.contact_id)
    )
    frame = read_frame(connection, query)
    for side in ("live_gates", "shadow_gates"):
        frame[side] = [",".join(_gates(g)) for g in frame[side]]
    frame["canary"] = frame["canary"].astype(bool)
    return frame


def shadow_counts(connection: Connection, shadow_version: str) -> tuple[int, int]:
    """How many leads the shadow `shadow_version` scored, and how many of them the canary took."""
    query = select(func.count(), func.coalesce(func.sum(case((SHADOW.c.canary, 1), else_=0)), 0))
    scored, canary = connection.execute(
        query.select_from(SHADOW).where(SHADOW.c.shadow_version == shadow_version)
    ).one()
    return int(scored), int(canary)
