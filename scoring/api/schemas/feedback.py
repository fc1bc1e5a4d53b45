"""Input and output schemas of POST /v1/feedback: what the CRM says about a lead it received."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.api.schemas.fields import Code, Email, Key, Moment, Note, RowId

Outcome = Literal["accepted", "rejected", "sales_qualified", "opportunity_created", "won", "lost"]

OUTCOME_STAGES: dict[str, str] = {
    "accepted": "sal",
    "rejected": "disqualified",
    "sales_qualified": "sales_qualified",
    "opportunity_created": "opportunity",
    "won": "customer",
    "lost": "nurture",
}
"""The lifecycle stage each outcome moves the lead to (through the contract)."""

REASON_REQUIRED = frozenset({"rejected", "lost"})
"""Outcomes that must cite a reason code from the vocabulary (data/reasons.yaml)."""


class Feedback(BaseModel):
    """One CRM outcome for one lead, named by `lead_id`, `external_id` or `email` (one is enough)."""

    model_config = ConfigDict(extra="forbid")

    event_id: Key = Field(
        description="unique id of this feedback: a repeated id has no second effect"
    )
    outcome: Outcome
    lead_id: RowId | None = None
    external_id: Key | None = None
    email: Email | None = None
    reason_code: Code | None = Field(
        None, description="required for rejected and lost: a code of data/reasons.yaml"
    )
    note: Note | None = None
    owner_email: Email | None = Field(None, description="the rep who accepted, when it changed")
    occurred_at: Moment | None = None

    @model_validator(mode="after")
    def _names_a_lead(self) -> Feedback:
        if self.lead_id is None and self.external_id is None and self.email is None:
            raise ValueError("name the lead with lead_id, external_id or email")
        return self


class FeedbackResult(BaseModel):
    status: Literal["applied", "duplicate"]
    lead_id: int
    from_stage: str | None
    to_stage: str
    reason_code: str | None = None
