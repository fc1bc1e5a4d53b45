"""CRM verdicts parked as "needs reason": store, list the waiting ones, resolve one with a reason.

A CRM may say a lead is unqualified without saying why (HubSpot's `hs_lead_status = UNQUALIFIED`
with no reason property). The contract requires a reason, so the lead does not move: the verdict
waits here until a person gives the reason, which then moves the lead through the contract (with its
guards) exactly as the CRM's verdict would have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from scoring.db.models import ParkedFeedback
from scoring.errors import DataError, Problem, TransitionNotAllowed
from scoring.lifecycle.contract import Contract
from scoring.lifecycle.guards import check_reason
from scoring.reasons import Vocabulary
from scoring.store.lifecycle import apply_transition

NEEDS_REASON = "needs reason"
WAITING_COLUMNS = ("id", "lead_id", "stage", "cause", "source", "event_id", "occurred_at")


@dataclass(frozen=True)
class Verdict:
    """A CRM verdict that needs a reason: who says what about which lead, and when."""

    source: str
    event_id: str
    contact_id: int
    stage: str
    cause: str  # what the CRM said, e.g. "hs_lead_status=UNQUALIFIED" (a field and a fixed value)
    occurred_at: datetime


def park(session: Session, verdict: Verdict, now: datetime) -> ParkedFeedback:
    """Store `verdict` as waiting for a reason (the lead does not move)."""
    row = ParkedFeedback(
        source=verdict.source,
        event_id=verdict.event_id,
        contact_id=verdict.contact_id,
        stage=verdict.stage,
        cause=verdict.cause[:200],
        occurred_at=verdict.occurred_at,
        received_at=now,
        status="waiting",
        detail="",
    )
    session.add(row)
    session.flush()
    return row


def waiting_for(session: Session, contact_id: int, stage: str) -> ParkedFeedback | None:
    """The oldest verdict of `contact_id` waiting for a reason to move it to `stage`."""
    query = (
        select(ParkedFeedback)
        .where(
            ParkedFeedback.contact_id == contact_id,
            ParkedFeedback.stage == stage,
            ParkedFeedback.status == "waiting",
        )
        .order_by(ParkedFeedback.id)
        .limit(1)
    )
    return session.scalars(query).first()


def waiting(session: Session) -> pd.DataFrame:
    """Every verdict still waiting for a reason, oldest first (WAITING_COLUMNS)."""
    query = (
        select(
            ParkedFeedback.id,
            ParkedFeedback.contact_id.label("lead_id"),
            ParkedFeedback.stage,
            ParkedFeedback.cause,
            ParkedFeedback.source,
            ParkedFeedback.event_id,
            ParkedFeedback.occurred_at,
        )
        .where(ParkedFeedback.status == "waiting")
        .order_by(ParkedFeedback.id)
    )
    rows = session.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(WAITING_COLUMNS))


def count_waiting(session: Session) -> int:
    query = select(func.count()).where(ParkedFeedback.status == "waiting")
    return int(session.scalar(query) or 0)


def claim(session: Session, parked_id: int, reason_code: str, actor: str, now: datetime) -> bool:
    """Mark verdict `parked_id` applied with `reason_code`, only while it still waits.

    The UPDATE's own `status = 'waiting'` condition makes a person's resolve racing the CRM's reason
    have one winner: the other gets False (PostgreSQL waits for the first to commit, then finds the
    row resolved; SQLite runs one writer at a time). The caller commits or rolls back.
    """
    result = session.execute(
        update(ParkedFeedback)
        .where(ParkedFeedback.id == parked_id, ParkedFeedback.status == "waiting")
        .values(status="applied", reason_code=reason_code, resolved_by=actor[:200], resolved_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return isinstance(result, CursorResult) and result.rowcount == 1


def _settled(parked: ParkedFeedback) -> DataError:
    by = f" by {parked.resolved_by}" if parked.resolved_by else ""
    reason = f" (reason {parked.reason_code})" if parked.reason_code else ""
    message = f"parked verdict {parked.id} is already {parked.status}{by}{reason}"
    return DataError([Problem("id", message)])


def resolve(
    session: Session,
    parked: ParkedFeedback,
    reason_code: str,
    *,
    contract: Contract,
    vocabulary: Vocabulary,
    actor: str,
    now: datetime,
) -> ParkedFeedback:
    """Give a waiting verdict its reason and move the lead through the contract.

    A reason the vocabulary does not hold (or has retired) raises DataError and changes nothing.
    When the contract refuses the move (the lead moved on meanwhile, a guard fails) the verdict is
    marked `refused` with the contract's words and the lead stays where it is; the caller commits
    either way.
    """
    if parked.status != "waiting":
        raise _settled(parked)
    problem = check_reason(vocabulary, reason_code)
    if problem:
        valid = ", ".join(sorted(vocabulary.active_codes))
        raise DataError([Problem("reason", f"{problem}; valid codes: {valid}")])
    if not claim(session, parked.id, reason_code, actor, now):  # resolved meanwhile (by the CRM)
        session.refresh(parked)
        raise _settled(parked)
    try:
        with session.begin_nested():
            apply_transition(
                session,
                parked.contact_id,
                parked.stage,
                contract=contract,
                vocabulary=vocabulary,
                actor=actor,
                reason_code=reason_code,
                note=f"{parked.source} said {parked.cause}"[:500],
                at=now,
            )
    except TransitionNotAllowed as exc:
        parked.status, parked.detail = "refused", str(exc.missing)[:500]
    else:
        parked.status = "applied"
    session.flush()
    return parked


def find(session: Session, parked_id: int) -> ParkedFeedback:
    """One parked verdict by id; DataError naming `id` when there is none."""
    parked = session.get(ParkedFeedback, parked_id)
    if parked is None:
        raise DataError([Problem("id", f"no parked verdict {parked_id}")])
    return parked
