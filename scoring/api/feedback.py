"""Apply CRM feedback to a lead through the lifecycle contract, once per event id.

accepted -> sal, rejected -> disqualified (reason required), sales_qualified, opportunity_created
-> opportunity, won -> customer, lost -> nurture (reason required). The reason is checked against
the vocabulary before anything is written; the contract decides whether the move is allowed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.api.schemas.feedback import OUTCOME_STAGES, REASON_REQUIRED, Feedback, FeedbackResult
from scoring.db.models import Contact, InboundEvent, Rep
from scoring.errors import DataError, Problem, UnknownLead
from scoring.handoff.qualify import Pipeline
from scoring.lifecycle import check_reason
from scoring.reasons import Vocabulary
from scoring.signals import SignalRow, record_many
from scoring.store.lifecycle import apply_transition


def check_feedback_reason(vocabulary: Vocabulary, feedback: Feedback) -> None:
    """Refuse a missing, unknown or retired reason where the outcome needs one (listing valid codes)."""
    if feedback.outcome not in REASON_REQUIRED and feedback.reason_code is None:
        return
    problem = check_reason(vocabulary, feedback.reason_code)
    if problem:
        valid = ", ".join(sorted(vocabulary.active_codes))
        raise DataError([Problem("reason_code", f"{problem}; valid codes: {valid}")])


def find_lead(session: Session, feedback: Feedback) -> Contact:
    """The lead a feedback names; UnknownLead names the field that did not match."""
    if feedback.lead_id is not None:
        contact = session.get(Contact, feedback.lead_id)
        field = "lead_id"
    elif feedback.external_id is not None:
        contact = session.scalars(
            select(Contact).where(Contact.external_id == feedback.external_id)
        ).first()
        field = "external_id"
    else:
        contact = session.scalars(select(Contact).where(Contact.email == feedback.email)).first()
        field = "email"
    if contact is None:
        raise UnknownLead([Problem(field, "no lead matches")])
    return contact


def _owner(session: Session, contact: Contact, email: str | None) -> None:
    if email is None:
        return
    rep_id = session.scalar(select(Rep.id).where(Rep.email == email))
    if rep_id is None:
        raise DataError([Problem("owner_email", f"no rep with email {email}")])
    contact.owner_rep_id = rep_id


def apply_feedback(
    session: Session, pipeline: Pipeline, source: str, feedback: Feedback, now: datetime
) -> FeedbackResult:
    """Apply one feedback in the session's transaction; a repeated event id changes nothing.

    Raises DataError (bad reason, unknown owner), UnknownLead, or TransitionNotAllowed naming the
    contract's refusal; the caller rolls back.
    """
    check_feedback_reason(pipeline.vocabulary, feedback)
    contact = find_lead(session, feedback)
    seen = session.scalar(
        select(InboundEvent.id).where(
            InboundEvent.source == source, InboundEvent.event_id == feedback.event_id
        )
    )
    if seen is not None:
        return FeedbackResult(
            status="duplicate",
            lead_id=contact.id,
            from_stage=None,
            to_stage=contact.lifecycle_stage,
        )
    _owner(session, contact, feedback.owner_email)
    session.flush()
    target = OUTCOME_STAGES[feedback.outcome]
    event = apply_transition(
        session,
        contact.id,
        target,
        contract=pipeline.contract,
        vocabulary=pipeline.vocabulary,
        actor=f"crm:{source}",
        reason_code=feedback.reason_code,
        note=feedback.note,
        at=feedback.occurred_at or now,
    )
    session.add(
        InboundEvent(
            source=source,
            event_id=feedback.event_id,
            kind=f"feedback.{feedback.outcome}",
            contact_id=contact.id,
            received_at=now,
            outcome=f"{event.from_stage}->{target}",
        )
    )
    data = {
        "event_id": feedback.event_id,
        "outcome": feedback.outcome,
        "reason_code": feedback.reason_code,
        "from": event.from_stage,
        "to": target,
        "note": feedback.note,
    }
    record_many(
        session,
        [
            SignalRow("feedback", source, contact.id, data, now),
            SignalRow(
                "transition",
                source,
                contact.id,
                {k: data[k] for k in ("from", "to", "reason_code")},
                now,
            ),
        ],
    )
    return FeedbackResult(
        status="applied",
        lead_id=contact.id,
        from_stage=event.from_stage,
        to_stage=target,
        reason_code=feedback.reason_code,
    )
