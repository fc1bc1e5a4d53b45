"""HubSpot's webhook format in: a JSON array of events; contact property changes become feedback.

HubSpot sends `[{"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 123,
"propertyName": "lifecyclestage", "propertyValue": "salesqualifiedlead", "occurredAt": 1700000000000,
...}]`. The contact is found through `crm_records` (written when the HubSpot adapter delivered the
handoff). What a value means is declared in data/crm_values.yaml (HubSpot's own `hs_lead_status`
and `lifecyclestage` values). A disqualification takes its reason from the reason property of the
same contact in the same request; without one the lead does not move and the verdict is parked as
"needs reason" (scoring.store.parked). Each event is answered on its own (one refused move does not
undo the others) and remembered: a replay of any answered id is a `duplicate`. The answer is 200
with a result per event, because HubSpot retries a whole batch on any other status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.api.answers import answered, remember
from scoring.api.feedback import apply_feedback
from scoring.api.schemas.feedback import OUTCOME_STAGES, Feedback
from scoring.api.schemas.fields import Key, StrictRowId, Text200, whole_number
from scoring.db.models import Contact, CrmRecord
from scoring.errors import DataError, TransitionNotAllowed
from scoring.handoff.qualify import Pipeline
from scoring.lifecycle.crm_values import REASON_STAGES, CrmMapping, load_crm_values
from scoring.metrics import count_parked
from scoring.store.parked import NEEDS_REASON, Verdict, claim, park, waiting_for

CRM = "hubspot"
OUTCOMES = {stage: outcome for outcome, stage in OUTCOME_STAGES.items()}
Status = Literal["applied", "duplicate", "ignored", "parked", "refused", "rejected"]


@lru_cache(maxsize=1)
def hubspot_values() -> CrmMapping:
    """The HubSpot section of data/crm_values.yaml, checked against the shipped contract."""
    return load_crm_values().crm(CRM)


class HubSpotEvent(BaseModel):
    """One event of a HubSpot webhook request (the fields this adapter reads)."""

    model_config = ConfigDict(extra="allow")

    eventId: StrictRowId
    subscriptionType: Text200
    objectId: StrictRowId
    occurredAt: Annotated[int, BeforeValidator(whole_number), Field(ge=0, le=10**14)]
    propertyName: Text200 | None = None
    propertyValue: Key | None = None

    @property
    def said(self) -> str:
        return f"{self.propertyName}={self.propertyValue}"

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.occurredAt / 1000, UTC).replace(tzinfo=None)


class HubSpotResult(BaseModel):
    index: int
    event_id: int | None
    status: Status
    detail: str = ""
    field: str | None = None


@dataclass(frozen=True)
class Plan:
    """What one event asks for: a feedback to apply, a verdict to park, or nothing (`ignore`)."""

    feedback: Feedback | None = None
    park_stage: str | None = None
    ignore: str = ""


def _reason_of(mapping: CrmMapping, name: str) -> str | None:
    """The stage a reason property's value moves a lead to (None: not a reason property)."""
    if name and name == mapping.reason_property:
        return "disqualified"
    if name and name == mapping.lost_reason_property:
        return "nurture"
    return None


def waits_for(mapping: CrmMapping, event: HubSpotEvent) -> str | None:
    """The reason property an event's move must cite, when its value carries no fixed reason."""
    meaning = mapping.meaning(event.propertyName or "", event.propertyValue or "")
    if meaning is None or meaning.stage not in REASON_STAGES or meaning.reason is not None:
        return None
    wanted = "disqualified" if meaning.stage == "disqualified" else "nurture"
    for prop in (mapping.reason_property, mapping.lost_reason_property):
        if prop and _reason_of(mapping, prop) == wanted:
            return prop
    return None


def plan(mapping: CrmMapping, event: HubSpotEvent, lead_id: int, reason: str | None = None) -> Plan:
    """What `event` means for lead `lead_id`; `reason` is the value of the reason property sent
    with it. Raises ValidationError for a value a feedback cannot carry."""
    name, value = event.propertyName or "", event.propertyValue or ""
    common = {"event_id": str(event.eventId), "lead_id": lead_id, "occurred_at": event.at}
    stage = _reason_of(mapping, name)
    if stage is not None and value:
        cited = mapping.reason_code(value)
        return Plan(
            Feedback.model_validate({**common, "outcome": OUTCOMES[stage], "reason_code": cited})
        )
    meaning = mapping.meaning(name, value)
    if meaning is None:
        return Plan(ignore=f"{event.subscriptionType} {event.said} is not mapped")
    if meaning.stage is None:
        return Plan(ignore=f"{event.said} moves nothing (data/crm_values.yaml)")
    code = meaning.reason or (mapping.reason_code(reason) if reason else None)
    if meaning.stage in REASON_STAGES and code is None:
        return Plan(park_stage=meaning.stage)
    body = {**common, "outcome": OUTCOMES[meaning.stage], "reason_code": code}
    return Plan(Feedback.model_validate(body))


def pairs(mapping: CrmMapping, events: list[tuple[int, HubSpotEvent]]) -> dict[int, int]:
    """Index of a move that needs a reason -> index of the reason property event of the same
    contact in the same request (each reason event gives one move its reason)."""
    reasons: dict[tuple[int, str], int] = {}
    for index, event in events:
        if _reason_of(mapping, event.propertyName or "") and event.propertyValue:
            reasons.setdefault((event.objectId, event.propertyName or ""), index)
    found: dict[int, int] = {}
    for index, event in events:
        prop = waits_for(mapping, event)
        if prop and (event.objectId, prop) in reasons:
            found[index] = reasons.pop((event.objectId, prop))
    return found


@dataclass
class _Request:
    session: Session
    pipeline: Pipeline
    now: datetime
    mapping: CrmMapping
    events: dict[int, HubSpotEvent] = field(default_factory=dict)
    results: dict[int, HubSpotResult] = field(default_factory=dict)

    def answer(
        self, index: int, status: Status, detail: str = "", field: str | None = None, *,
        contact_id: int | None = None, remembered: bool = False,
    ) -> HubSpotResult:  # fmt: skip
        event = self.events[index]
        if not remembered:
            kind = f"hubspot.{event.propertyName or event.subscriptionType}"
            answer = f"{status}: {detail}" if detail else status
            remember(self.session, CRM, str(event.eventId), kind=kind, answer=answer,
                     contact_id=contact_id, now=self.now)  # fmt: skip
        result = HubSpotResult(
            index=index, event_id=event.eventId, status=status, detail=detail, field=field
        )
        self.results[index] = result
        return result


def _lead_of(session: Session, event: HubSpotEvent) -> int | None:
    query = select(CrmRecord.contact_id).where(
        CrmRecord.crm == CRM, CrmRecord.crm_id == str(event.objectId)
    )
    return session.scalar(query)


def _park(request: _Request, index: int, lead_id: int, stage: str) -> HubSpotResult:
    event = request.events[index]
    contact = request.session.get(Contact, lead_id)
    current = contact.lifecycle_stage if contact is not None else None
    if stage not in {t.target for t in request.pipeline.contract.exits(current or "")}:
        detail = f"the contract has no transition {current} -> {stage}"
        return request.answer(index, "refused", detail, "propertyValue", contact_id=lead_id)
    verdict = Verdict(CRM, str(event.eventId), lead_id, stage, event.said, event.at)
    park(request.session, verdict, request.now)
    count_parked(request.session, CRM)
    return request.answer(index, "parked", NEEDS_REASON, "propertyValue", contact_id=lead_id)


def _apply(request: _Request, index: int, lead_id: int, feedback: Feedback) -> HubSpotResult:
    session = request.session
    try:
        with session.begin_nested():
            result = apply_feedback(session, request.pipeline, CRM, feedback, request.now)
    except TransitionNotAllowed as exc:
        return request.answer(index, "refused", exc.missing, "propertyValue", contact_id=lead_id)
    except DataError as exc:
        where = exc.problems[0].where if exc.problems else "propertyValue"
        return request.answer(index, "rejected", str(exc), where, contact_id=lead_id)
    if result.status == "applied" and feedback.reason_code is not None:
        stage = OUTCOME_STAGES[feedback.outcome]
        parked = waiting_for(session, lead_id, stage)
        if parked is not None:  # the reason a parked verdict waited for has come
            claim(session, parked.id, feedback.reason_code, f"crm:{CRM}", request.now)
    return request.answer(index, result.status, result.to_stage, remembered=True)


def _one(request: _Request, index: int, reason: str | None) -> HubSpotResult:
    event = request.events[index]
    lead_id = _lead_of(request.session, event)
    if lead_id is None:
        return request.answer(index, "ignored", "unknown contact")
    try:
        planned = plan(request.mapping, event, lead_id, reason)
    except ValidationError as exc:
        detail = exc.errors(include_url=False)[0]["msg"]
        return request.answer(index, "rejected", detail, "propertyValue", contact_id=lead_id)
    if planned.park_stage is not None:
        return _park(request, index, lead_id, planned.park_stage)
    if planned.feedback is None:
        return request.answer(index, "ignored", planned.ignore, contact_id=lead_id)
    return _apply(request, index, lead_id, planned.feedback)


def _raw_event_id(item: object) -> int | None:
    """The eventId of an item that failed validation, when it has a usable one (to name it)."""
    value = item.get("eventId") if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def _malformed(index: int, item: object, exc: ValidationError) -> HubSpotResult:
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(p) for p in (index, *first["loc"]))
    event_id = _raw_event_id(item)
    named = f"event {event_id}" if event_id is not None else f"event #{index} (no eventId)"
    detail = f"{named}: {field.split('.', 1)[-1]}: {first['msg']}"
    return HubSpotResult(
        index=index, event_id=event_id, status="rejected", detail=detail, field=field
    )


def _fresh(request: _Request) -> list[tuple[int, HubSpotEvent]]:
    """Answer `duplicate` for ids answered before (or earlier in this request), remember the
    malformed items that carry a usable id, and return the valid events still to answer."""
    ids = {i: str(e.eventId) for i, e in request.events.items()}
    ids |= {i: str(r.event_id) for i, r in request.results.items() if r.event_id is not None}
    seen = answered(request.session, CRM, ids.values())
    fresh: list[tuple[int, HubSpotEvent]] = []
    for index in sorted(ids):
        if ids[index] in seen:
            request.results[index] = HubSpotResult(
                index=index, event_id=int(ids[index]), status="duplicate"
            )
            continue
        seen.add(ids[index])
        if index in request.events:
            fresh.append((index, request.events[index]))
        else:
            answer = f"rejected: {request.results[index].field}"
            remember(request.session, CRM, ids[index], kind="hubspot.malformed", answer=answer,
                     contact_id=None, now=request.now)  # fmt: skip
    return fresh


def apply_hubspot(
    session: Session, pipeline: Pipeline, items: list[object], now: datetime
) -> list[HubSpotResult]:
    """Answer every event of a HubSpot webhook request; malformed items are `rejected` with their
    field, ids answered before (or earlier in the request) are `duplicate`."""
    request = _Request(session, pipeline, now, hubspot_values())
    for index, item in enumerate(items):
        try:
            request.events[index] = HubSpotEvent.model_validate(item)
        except ValidationError as exc:
            request.results[index] = _malformed(index, item, exc)
    fresh = _fresh(request)
    given = pairs(request.mapping, fresh)
    with_reason = {reason: move for move, reason in given.items()}
    for index, _ in fresh:
        if index in with_reason:
            continue  # answered with the move it gives its reason to, below
        reason = request.events[given[index]].propertyValue if index in given else None
        _one(request, index, reason)
    for index, move in with_reason.items():
        partner = request.results[move]
        detail = f"reason for event {partner.event_id}"
        request.answer(index, partner.status, detail, partner.field)
    return [request.results[i] for i in range(len(items))]
