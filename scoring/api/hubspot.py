"""HubSpot's webhook format in: a JSON array of events whose contact property changes become feedback.

HubSpot sends `[{"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 123,
"propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead", "occurredAt": 1700000000000,
...}]`. The contact is found through `crm_records` (written when the HubSpot adapter delivered the
handoff). Each event is applied on its own: one refused move does not undo the others, and the
answer is 200 with a result per event, because HubSpot retries a whole batch on any other status.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.api.feedback import apply_feedback
from scoring.api.schemas.feedback import Feedback
from scoring.api.schemas.fields import Key, RowId, Text200
from scoring.db.models import CrmRecord
from scoring.errors import DataError, TransitionNotAllowed
from scoring.handoff.qualify import Pipeline

CRM = "hubspot"
REASON_PROPERTY = "smarketing_disqualification_reason"
LOST_PROPERTY = "smarketing_lost_reason"

PROPERTY_OUTCOMES: dict[tuple[str, str], str] = {
    ("hs_lead_status", "OPEN"): "accepted",
    ("hs_lead_status", "IN_PROGRESS"): "accepted",
    ("hs_lead_status", "CONNECTED"): "accepted",
    ("lifecyclestage", "salesqualifiedlead"): "sales_qualified",
    ("lifecyclestage", "opportunity"): "opportunity_created",
    ("lifecyclestage", "customer"): "won",
}
"""(property, new value) -> feedback outcome. The two reason properties map on their own:
a value in `smarketing_disqualification_reason` is a rejection citing it, in
`smarketing_lost_reason` a loss citing it."""


class HubSpotEvent(BaseModel):
    """One event of a HubSpot webhook request (the fields this adapter reads)."""

    model_config = ConfigDict(extra="allow")

    eventId: RowId
    subscriptionType: Text200
    objectId: RowId
    occurredAt: int = Field(ge=0, le=10**14)
    propertyName: Text200 | None = None
    propertyValue: Key | None = None


class HubSpotResult(BaseModel):
    index: int
    event_id: int | None
    status: Literal["applied", "duplicate", "ignored", "refused", "rejected"]
    detail: str = ""
    field: str | None = None


def to_feedback(event: HubSpotEvent, lead_id: int) -> Feedback | None:
    """The feedback an event means, or None for a change this adapter does not map."""
    name, value = event.propertyName or "", event.propertyValue or ""
    common = {
        "event_id": str(event.eventId),
        "lead_id": lead_id,
        "occurred_at": datetime.fromtimestamp(event.occurredAt / 1000, UTC),
    }
    if name == REASON_PROPERTY and value:
        return Feedback.model_validate({**common, "outcome": "rejected", "reason_code": value})
    if name == LOST_PROPERTY and value:
        return Feedback.model_validate({**common, "outcome": "lost", "reason_code": value})
    outcome = PROPERTY_OUTCOMES.get((name, value))
    return Feedback.model_validate({**common, "outcome": outcome}) if outcome else None


def _one(
    session: Session, pipeline: Pipeline, index: int, event: HubSpotEvent, now: datetime
) -> HubSpotResult:
    lead_id = session.scalar(
        select(CrmRecord.contact_id).where(
            CrmRecord.crm == CRM, CrmRecord.crm_id == str(event.objectId)
        )
    )
    if lead_id is None:
        return HubSpotResult(
            index=index, event_id=event.eventId, status="ignored", detail="unknown contact"
        )
    try:
        feedback = to_feedback(event, lead_id)
    except ValidationError as exc:
        detail = exc.errors(include_url=False)[0]["msg"]
        return HubSpotResult(
            index=index,
            event_id=event.eventId,
            status="rejected",
            detail=detail,
            field="propertyValue",
        )
    if feedback is None:
        detail = (
            f"{event.subscriptionType} {event.propertyName}={event.propertyValue} is not mapped"
        )
        return HubSpotResult(index=index, event_id=event.eventId, status="ignored", detail=detail)
    try:
        with session.begin_nested():
            result = apply_feedback(session, pipeline, CRM, feedback, now)
    except TransitionNotAllowed as exc:
        return HubSpotResult(
            index=index,
            event_id=event.eventId,
            status="refused",
            detail=exc.missing,
            field="propertyValue",
        )
    except DataError as exc:
        where = exc.problems[0].where if exc.problems else "propertyValue"
        return HubSpotResult(
            index=index, event_id=event.eventId, status="rejected", detail=str(exc), field=where
        )
    return HubSpotResult(
        index=index, event_id=event.eventId, status=result.status, detail=result.to_stage
    )


def _raw_event_id(item: object) -> int | None:
    """The eventId of an item that failed validation, when it has a usable one (to name it)."""
    value = item.get("eventId") if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def apply_hubspot(
    session: Session, pipeline: Pipeline, items: list[object], now: datetime
) -> list[HubSpotResult]:
    """Apply every event of a HubSpot webhook request; malformed items are `rejected` with their field."""
    results = []
    for index, item in enumerate(items):
        try:
            event = HubSpotEvent.model_validate(item)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in (index, *first["loc"]))
            event_id = _raw_event_id(item)
            named = f"event {event_id}" if event_id is not None else f"event #{index} (no eventId)"
            results.append(
                HubSpotResult(
                    index=index,
                    event_id=event_id,
                    status="rejected",
                    detail=f"{named}: {field.split('.', 1)[-1]}: {first['msg']}",
                    field=field,
                )
            )
            continue
        results.append(_one(session, pipeline, index, event, now))
    return results
