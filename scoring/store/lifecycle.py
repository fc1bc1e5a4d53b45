"""The database edge of the lifecycle: the one write path of stages, and reading the history.

apply_transition(session, contact_id, "mql", contract=..., vocabulary=..., actor=...)
events(session, contact_id); stage_entries(session, ["mql"])
The contract, its guards and the SLA arithmetic are pure (scoring.lifecycle); this module fetches
the rows they judge (locked), applies their verdict and records it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from scoring.db.models import Contact, LifecycleEvent
from scoring.errors import ConfigError, TransitionNotAllowed
from scoring.lifecycle.contract import Contract, Transition
from scoring.lifecycle.guards import HISTORY_FIELDS, check_reason, guard_fields, unmet_guard
from scoring.lifecycle.paths import ViaPath
from scoring.lifecycle.sla import StageEntry
from scoring.reasons import Vocabulary

CONTACTS = Contact.__table__


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _locked_contact(session: Session, contact_id: int) -> dict[str, Any] | None:
    """The contact's columns, locked for the rest of the transaction where the backend can."""
    query = select(CONTACTS).where(CONTACTS.c.id == contact_id).with_for_update()
    row = session.execute(query).mappings().one_or_none()
    return dict(row) if row is not None else None


def _last_reason_code(session: Session, contact_id: int) -> str | None:
    query = (
        select(LifecycleEvent.reason_code)
        .where(LifecycleEvent.contact_id == contact_id)
        .order_by(LifecycleEvent.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _undeclared(contract: Contract, source: str, target: str) -> str:
    if contract.stage(target) is None:
        return f"unknown stage {target!r}"
    allowed = ", ".join(t.target for t in contract.exits(source)) or "none"
    return f"the contract has no transition {source} -> {target} (allowed: {allowed})"


def _guard_values(
    session: Session,
    contact: dict[str, Any],
    transition: Transition,
    facts: Mapping[str, Any],
    reason_code: str | None,
) -> dict[str, Any]:
    values = {**contact, **facts, "reason_code": reason_code}
    needed = {name for guard in transition.guards for name in guard_fields(guard)}
    if "last_reason_code" in needed & HISTORY_FIELDS.keys():
        values["last_reason_code"] = _last_reason_code(session, contact["id"])
    return values


def unmet_guards(
    session: Session,
    contact: dict[str, Any],
    transition: Transition,
    *,
    vocabulary: Vocabulary,
    facts: Mapping[str, Any],
    reason_code: str | None,
) -> list[str]:
    """Why `transition` cannot be applied to `contact` now: one line per unmet guard."""
    values = _guard_values(session, contact, transition, facts, reason_code)
    unmet = [p for p in (unmet_guard(g, values, vocabulary) for g in transition.guards) if p]
    cites_unguarded_reason = reason_code is not None and all(
        g.kind != "reason_required" for g in transition.guards
    )
    if cites_unguarded_reason:
        # A cited reason is recorded (and counted per campaign) even where no guard demands one.
        problem = check_reason(vocabulary, reason_code)
        unmet += [problem] if problem else []
    return unmet


def apply_transition(
    session: Session,
    contact_id: int,
    to_stage: str,
    *,
    contract: Contract,
    vocabulary: Vocabulary,
    actor: str,
    facts: Mapping[str, Any] | None = None,
    reason_code: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    rulebook_version: str | None = None,
) -> LifecycleEvent:
    """Move a contact to `to_stage` if the contract allows it; every write path goes through here.

    The transition must be declared and all its guards must hold; a cited `reason_code` must be an
    active code of `vocabulary` (which must already be synced into the database). The contact's
    stage and `updated_at` change and one `lifecycle_events` row is added in the session's
    transaction; the caller commits. `facts` supplies the values the contract declares as facts.

    Raises:
        TransitionNotAllowed: naming the contact, both stages and every unmet guard; nothing written.
        ConfigError: `facts` names a fact the contract does not declare.
    """
    supplied = dict(facts or {})
    unknown = sorted(supplied.keys() - contract.fact_names)
    if unknown:
        declared = ", ".join(sorted(contract.fact_names)) or "none"
        raise ConfigError(f"unknown facts {', '.join(unknown)} (the contract declares {declared})")
    contact = _locked_contact(session, contact_id)
    if contact is None:
        raise TransitionNotAllowed(contact_id, None, to_stage, "no such contact")
    source = contact["lifecycle_stage"]
    transition = contract.transition(source, to_stage)
    walk = contract.path(source, to_stage) if transition is None else None
    if walk is not None:
        return _walk(session, contact_id, walk, contract=contract, vocabulary=vocabulary,
                     actor=actor, facts=supplied, reason_code=reason_code, note=note, at=at,
                     rulebook_version=rulebook_version)  # fmt: skip
    if transition is None:
        raise TransitionNotAllowed(
            contact_id, source, to_stage, _undeclared(contract, source, to_stage)
        )
    unmet = unmet_guards(
        session, contact, transition, vocabulary=vocabulary, facts=supplied, reason_code=reason_code
    )
    if unmet:
        raise TransitionNotAllowed(contact_id, source, to_stage, "; ".join(unmet))
    moment = at or _now()
    # The stage in the WHERE clause makes a concurrent move fail instead of being overwritten.
    moved = session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.lifecycle_stage == source)
        .values(lifecycle_stage=to_stage, updated_at=moment)
        .execution_options(synchronize_session="fetch")
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise TransitionNotAllowed(contact_id, source, to_stage, "the stage changed concurrently")
    event = LifecycleEvent(
        contact_id=contact_id,
        from_stage=source,
        to_stage=to_stage,
        occurred_at=moment,
        actor=actor,
        reason_code=reason_code,
        note=note,
        rulebook_version=rulebook_version,
        contract_version=contract.version,
    )
    session.add(event)
    session.flush()
    return event


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


def _walk(
    session: Session, contact_id: int, walk: ViaPath, *, reason_code: str | None, **step: Any
) -> LifecycleEvent:
    """A declared `via` path: every step is an ordinary transition (its guards, its history row);
    a refused step undoes the steps before it (savepoint) and names the step."""
    with session.begin_nested():
        for stage in walk.via:
            apply_transition(session, contact_id, stage, **step)
        return apply_transition(session, contact_id, walk.target, reason_code=reason_code, **step)
