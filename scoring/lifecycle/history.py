"""Reading lifecycle history: a contact's events, and when each contact entered its current stage."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact, LifecycleEvent
from scoring.lifecycle.sla import StageEntry


def events(session: Session, contact_id: int) -> list[LifecycleEvent]:
    """Every recorded stage change of a contact, oldest first."""
    query = (
        select(LifecycleEvent)
        .where(LifecycleEvent.contact_id == contact_id)
        .order_by(LifecycleEvent.id)
    )
    return list(session.scalars(query))


def stage_entries(session: Session, stages: Collection[str]) -> list[StageEntry]:
    """When each contact now in one of `stages` entered it.

    That is the latest event moving it there; a contact that never moved (created in that stage by
    an import) counts from its `created_at`.
    """
    entered = (
        select(
            LifecycleEvent.contact_id,
            func.max(LifecycleEvent.occurred_at).label("entered_at"),
        )
        .join(
            Contact,
            and_(
                Contact.id == LifecycleEvent.contact_id,
                Contact.lifecycle_stage == LifecycleEvent.to_stage,
            ),
        )
        .group_by(LifecycleEvent.contact_id)
        .subquery()
    )
    query = (
        select(
            Contact.id,
            Contact.lifecycle_stage,
            func.coalesce(entered.c.entered_at, Contact.created_at),
        )
        .outerjoin(entered, entered.c.contact_id == Contact.id)
        .where(Contact.lifecycle_stage.in_(list(stages)))
        .order_by(Contact.id)
    )
    return [StageEntry(*row) for row in session.execute(query)]
