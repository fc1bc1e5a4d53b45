"""Apply a batch of inbound events: upsert leads and accounts, record touches, rescore, hand off.

Each valid event is applied in order inside one transaction; an event that cannot be applied
(unknown lead or campaign, an email owned by another lead) is rejected on its own, before it writes
anything. Accepted events are remembered by (source, id), so a repeated id is a `duplicate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoring.api.schemas.events import (
    AccountIn,
    ActivityRecorded,
    FieldError,
    ItemResult,
    LeadIn,
    LeadUpserted,
)
from scoring.db.models import Account, Campaign, Contact, InboundEvent, Touch
from scoring.errors import TransitionNotAllowed
from scoring.handoff.qualify import Pipeline, Rescored, rescore
from scoring.lifecycle import apply_transition
from scoring.signals import SignalRow, record_many

LEAD_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "department",
    "phone",
    "country",
    "lead_source",
    "do_not_contact",
)
ACCOUNT_FIELDS = ("name", "industry", "employees", "annual_revenue", "country", "region")


class Rejected(Exception):
    """An event that cannot be applied, with the field at fault (raised before any write)."""

    def __init__(self, field: str, message: str) -> None:
        self.error = FieldError(field=field, message=message)
        super().__init__(message)


@dataclass
class Batch:
    """The state of one batch while it is applied."""

    session: Session
    source: str
    now: datetime
    affected: set[int] = field(default_factory=set)
    signals: list[SignalRow] = field(default_factory=list)
    campaigns: dict[str, int | None] = field(default_factory=dict)

    def campaign_id(self, code: str | None, where: str) -> int | None:
        if code is None:
            return None
        if code not in self.campaigns:
            self.campaigns[code] = self.session.scalar(
                select(Campaign.id).where(Campaign.code == code)
            )
        found = self.campaigns[code]
        if found is None:
            raise Rejected(where, f"unknown campaign code {code!r}")
        return found


def _contact(session: Session, external_id: str) -> Contact | None:
    return session.scalars(select(Contact).where(Contact.external_id == external_id)).first()


def _account(batch: Batch, data: AccountIn) -> Account:
    account = batch.session.scalars(select(Account).where(Account.domain == data.domain)).first()
    if account is None:
        account = Account(domain=data.domain, name=data.name or data.domain, created_at=batch.now)
        batch.session.add(account)
    for name in ACCOUNT_FIELDS:
        value = getattr(data, name)
        if value is not None:
            setattr(account, name, value)
    batch.session.flush()
    return account


def _check_email(session: Session, lead: LeadIn, where: str) -> None:
    if lead.email is None:
        return
    owner = session.scalar(select(Contact.external_id).where(Contact.email == lead.email))
    if owner is not None and owner != lead.external_id:
        raise Rejected(f"{where}.lead.email", "this email already belongs to another lead")


def upsert_lead(batch: Batch, event: LeadUpserted, where: str) -> int:
    """Create or update the lead of `event`; returns its contact id."""
    lead, session = event.lead, batch.session
    _check_email(session, lead, where)
    campaign_id = batch.campaign_id(lead.campaign, f"{where}.lead.campaign")
    contact = _contact(session, lead.external_id)
    account = _account(batch, lead.account) if lead.account else None
    if contact is None:
        contact = Contact(
            external_id=lead.external_id,
            lifecycle_stage="lead" if account else "subscriber",
            created_at=batch.now,
            do_not_contact=False,
        )
        session.add(contact)
    for name in LEAD_FIELDS:
        value = getattr(lead, name)
        if value is not None:
            setattr(contact, name, value)
    if account is not None:
        contact.account_id = account.id
    if campaign_id is not None and contact.original_campaign_id is None:
        contact.original_campaign_id = campaign_id
    if lead.attributes:
        contact.attributes = {**(contact.attributes or {}), **lead.attributes}
    contact.updated_at = batch.now
    session.flush()
    return contact.id


def record_activity(batch: Batch, event: ActivityRecorded, where: str) -> int:
    """Add the touch of `event` to its (existing) lead; returns the contact id."""
    contact = _contact(batch.session, event.lead.external_id)
    if contact is None:
        raise Rejected(
            f"{where}.lead.external_id", "no lead with this external_id (send lead.upserted first)"
        )
    activity = event.activity
    campaign_id = batch.campaign_id(activity.campaign, f"{where}.activity.campaign")
    batch.session.add(
        Touch(
            external_id=f"{batch.source}:{event.id}",
            contact_id=contact.id,
            campaign_id=campaign_id,
            kind=activity.kind,
            occurred_at=event.occurred_at,
            url=activity.url,
            asset=activity.asset,
        )
    )
    return contact.id


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
    known = _known(session, source, [event.id for _, event in events])
    results: list[ItemResult] = []
    accepted: list[dict[str, object]] = []
    for index, event in events:
        if event.id in known:
            results.append(ItemResult(index=index, id=event.id, status="duplicate"))
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
            continue
        known.add(event.id)
        batch.affected.add(contact_id)
        accepted.append(
            {"source": source, "event_id": event.id, "kind": event.type, "contact_id": contact_id}
        )
        data = {"event_id": event.id, "type": event.type}
        batch.signals.append(SignalRow("inbound_event", source, contact_id, data, now))
        results.append(ItemResult(index=index, id=event.id, status="accepted", lead_id=contact_id))
    if accepted:
        session.execute(insert(InboundEvent).values(received_at=now, outcome="applied"), accepted)
    session.flush()
    _promote_subscribers(batch, pipeline)
    record_many(session, batch.signals)
    return results, rescore(session, pipeline, batch.affected, now, source)
