"""Apply a batch of inbound events: upsert leads and accounts, record touches, rescore, hand off.

Each valid event is applied in order inside one transaction (scoring.api.batch); an event that
cannot be applied (unknown lead or campaign, an email owned by another lead) is rejected on its
own, before it writes anything. Accepted events are remembered by (source, id), so a repeated id is
a `duplicate`. The affected leads are then rescored here (inline) or queued for the worker. Each
event's outcome is counted (scoring.metrics) when the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoring.api.batch import Batch, Rejected, record_activity, upsert_lead
from scoring.api.schemas.events import ActivityRecorded, ItemResult, LeadUpserted
from scoring.db.models import Contact, InboundEvent
from scoring.errors import TransitionNotAllowed
from scoring.handoff.qualify import Pipeline, Rescored, rescore
from scoring.handoff.rescoring import request_rescore
from scoring.metrics import count_events
from scoring.signals import SignalRow, record_many
from scoring.store.lifecycle import apply_transition


def _known(session: Session, source: str, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    query = select(InboundEvent.event_id).where(
        InboundEvent.source == source, InboundEvent.event_id.in_(ids)
    )
    return set(session.scalars(query))


def _promote_subscribers(batch: Batch, pipeline: Pipeline) -> None:
    """A subscriber whose company became known moves to lead through the contract."""
    for contact_id in sorted(batch.affected):
        contact = batch.session.get(Contact, contact_id)
        if contact is None or contact.lifecycle_stage != "subscriber" or contact.account_id is None:
            continue
        try:
            with batch.session.begin_nested():
                event = apply_transition(
                    batch.session,
                    contact_id,
                    "lead",
                    contract=pipeline.contract,
                    vocabulary=pipeline.vocabulary,
                    actor=f"api:{batch.source}",
                    at=batch.now,
                )
        except TransitionNotAllowed:
            continue  # the contract keeps it a subscriber; nothing else depends on the move
        data = {"from": event.from_stage, "to": event.to_stage, "actor": event.actor}
        batch.signals.append(SignalRow("transition", batch.source, contact_id, data, batch.now))


def apply_events(
    session: Session,
    pipeline: Pipeline,
    source: str,
    events: Sequence[tuple[int, LeadUpserted | ActivityRecorded]],
    now: datetime,
) -> tuple[list[ItemResult], Rescored]:
    """Apply valid events in order; returns one result per event and what rescoring did."""
    batch = Batch(session, source, now)
    batch.load([event for _, event in events])
    known = _known(session, source, [event.id for _, event in events])
    results: list[ItemResult] = []
    accepted: list[dict[str, object]] = []
    outcomes: list[tuple[str, str]] = []  # (outcome, reason) per event, counted on commit
    for index, event in events:
        if event.id in known:
            results.append(ItemResult(index=index, id=event.id, status="duplicate"))
            outcomes.append(("duplicate", ""))
            continue
        where = f"events.{index}"
        try:
            if isinstance(event, LeadUpserted):
                contact_id = upsert_lead(batch, event, where)
            else:
                contact_id = record_activity(batch, event, where)
        except Rejected as exc:
            results.append(
                ItemResult(index=index, id=event.id, status="rejected", errors=[exc.error])
            )
            outcomes.append(("rejected", exc.reason))
            continue
        known.add(event.id)
        batch.affected.add(contact_id)
        accepted.append(
            {"source": source, "event_id": event.id, "kind": event.type, "contact_id": contact_id}
        )
        data = {"event_id": event.id, "type": event.type}
        batch.signals.append(SignalRow("inbound_event", source, contact_id, data, now))
        results.append(ItemResult(index=index, id=event.id, status="accepted", lead_id=contact_id))
        outcomes.append(("accepted", ""))
    count_events(session, source, outcomes)
    session.flush()
    batch.write_touches()
    if accepted:
        session.execute(insert(InboundEvent).values(received_at=now, outcome="applied"), accepted)
    _promote_subscribers(batch, pipeline)
    record_many(session, batch.signals)
    if pipeline.rescore == "queue":
        request_rescore(session, batch.affected, now, source)
        return results, Rescored()
    return results, rescore(session, pipeline, batch.affected, now, source)
