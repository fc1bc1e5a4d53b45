"""Output schemas of GET /v1/leads/{lead_id} and GET /v1/health."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ScoreView(BaseModel):
    score: float
    threshold: float
    fit: float | None = None
    engagement: float | None = None
    failed_gates: list[str]
    rulebook_version: str
    scored_at: datetime
    explanation: list[dict[str, Any]] = Field(description="points per rule, largest first")


class HistoryEntry(BaseModel):
    from_stage: str | None
    to_stage: str
    occurred_at: datetime
    actor: str
    reason_code: str | None = None
    note: str | None = None
    rulebook_version: str | None = None


class HandoffView(BaseModel):
    idempotency_key: str
    status: str
    attempts: int
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str | None = None


class LeadView(BaseModel):
    """A lead as the API shows it: stage, owner, score with explanation, history, handoffs."""

    id: int
    external_id: str
    email: str | None
    stage: str
    owner_email: str | None
    score: ScoreView | None
    qualification: str | None = Field(
        None,
        description="below the threshold, blocked by gates / blocked (why), qualifies by score and "
        "gates, moved to MQL, or past MQL (stage); null when never scored",
    )
    history: list[HistoryEntry]
    handoffs: list[HandoffView]


class Health(BaseModel):
    status: Literal["ok", "failing"]
    checks: dict[str, str] = Field(
        description="each check and `ok`, or what fails: `database`, `storage` (full disk, "
        "database size limit, a write that failed for lack of space in the last minute)"
    )
    database: str
    schema_revision: str | None
    contract_version: str
    rulebook_version: str | None
    pending_handoffs: int
    dead_handoffs: int
