"""Every CRM event that was answered is remembered by (source, event id): a replay is a `duplicate`.

Applied feedback is remembered by scoring.api.feedback in the transaction that moved the lead. An
event answered otherwise (refused by the contract, rejected, ignored, parked) is remembered here,
after its savepoint rolled back, so that the same id never gets a second, different answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.db.models import InboundEvent


def answered(session: Session, source: str, event_ids: Iterable[str]) -> set[str]:
    """Which of `event_ids` of `source` were answered before (one query)."""
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    query = select(InboundEvent.event_id).where(
        InboundEvent.source == source, InboundEvent.event_id.in_(ids)
    )
    return set(session.scalars(query))


def remember(
    session: Session,
    source: str,
    event_id: str,
    *,
    kind: str,
    answer: str,
    contact_id: int | None,
    now: datetime,
) -> None:
    """Remember the answer to one event (`answer` e.g. "refused: ...", "ignored: unknown contact")."""
    session.add(
        InboundEvent(
            source=source,
            event_id=event_id,
            kind=kind[:60],
            contact_id=contact_id,
            received_at=now,
            outcome=answer[:200],
        )
    )
    session.flush()
