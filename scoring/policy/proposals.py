"""Four-eyes publishing: one publisher proposes, a *different* publisher approves; all audited.

    proposal = propose(engine, "rulebook", text, alice, note="wider net", detail={"effect": rows})
    in_force(engine)                       # unchanged: a proposal is not in force
    approve(engine, proposal.id, bob)      # now it is; ProposalRefused if bob were alice
    reject(engine, proposal.id, bob, note="too many MQLs for the team")
    publish_as(engine, "rulebook", text, actor)   # four-eyes off: single-user mode, or roles.yaml

Every function checks the actor's role itself (scoring.access), whatever the page showed. An
approval publishes the text as proposed only when the version it was proposed against is still in
force (checked again inside the approving transaction): its diff and what-if effect were measured
against that version. Who proposed is compared by their identity provider's issuer and subject,
which never change, and by name; an email alone can be changed to a colleague's.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, RowMapping, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from scoring.access import PUBLISH, Actor
from scoring.db.audit import AuditEntry, PolicyProposal
from scoring.errors import ConfigError, NotPermitted, ProposalRefused
from scoring.policy.publish import (
    Change,
    Definition,
    body,
    in_force_id,
    prepare,
    publish_text,
    raced,
    version_text,
    write_prepared,
)

PROPOSALS: Table = PolicyProposal.__table__  # type: ignore[assignment]
CARRIED = ("changes", "change_columns", "restores", "effect")
"""What a proposal's detail passes on to the audit row of the publish it becomes."""


@dataclass(frozen=True)
class Proposal:
    """A proposed publish or rollback and, once decided, who decided it and what it became."""

    id: int
    kind: str
    action: str  # published | rolled_back
    base_version: str
    text: str
    note: str
    detail: dict[str, Any]
    proposed_by: str
    proposed_at: datetime
    status: str  # open | approved | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    published_version: str | None = None
    proposer_iss: str | None = None
    proposer_sub: str | None = None

    def is_by(self, actor: Actor) -> bool:
        """Whether `actor` is who proposed this: the same (issuer, subject) at the identity
        provider, or the same name (case-insensitive: what remains without a subject)."""
        mine = (self.proposer_iss or "", self.proposer_sub) if self.proposer_sub else None
        if mine is not None and mine == actor.subject:
            return True
        return self.proposed_by.casefold() == actor.name.casefold()


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _named(actor: Actor) -> None:
    if not actor.name.strip():
        raise ConfigError("publishing needs the name of who publishes")


def text_diff(before: str, after: str, kind: str, before_version: str) -> str:
    """A unified diff of two definition texts, their `version:` lines left out."""
    lines = difflib.unified_diff(
        body(before).splitlines(),
        body(after).splitlines(),
        fromfile=f"{kind} {before_version or '(none)'} (in force)",
        tofile=f"{kind} proposed",
        lineterm="",
    )
    return "\n".join(lines)


def _audit(
    actor: Actor, action: str, subject: str, moment: datetime, detail: dict[str, Any]
) -> Any:
    return insert(AuditEntry).values(
        occurred_at=moment,
        actor=actor.name,
        action=action,
        subject=subject,
        detail={**detail, **actor.audit_detail()},
    )


def propose(
    engine: Engine,
    kind: str,
    text: str,
    actor: Actor,
    *,
    note: str = "",
    detail: dict[str, Any] | None = None,
    action: str = "published",
    now: datetime | None = None,
) -> Proposal:
    """Record `text` as a proposed `kind` (checked as a publish would be); nothing is in force yet."""
    actor.require(PUBLISH)
    _named(actor)
    moment = now or _utcnow()
    prepared = prepare(engine, kind, text, moment)
    shown = {**(detail or {}), "diff": text_diff(prepared.parent_text, text, kind, prepared.parent)}
    issuer, subject = actor.subject or (None, None)
    row: dict[str, Any] = {
        "kind": kind,
        "action": action,
        "base_version": prepared.parent,
        "text": text,
        "note": note,
        "detail": shown,
        "proposed_by": actor.name,
        "proposed_at": moment,
        "proposer_iss": issuer,
        "proposer_sub": subject,
        "status": "open",
    }
    with engine.begin() as connection:
        proposal_id = connection.execute(
            insert(PolicyProposal).values(**row).returning(PolicyProposal.id)
        ).scalar_one()
        about = {"proposal": proposal_id, "from": prepared.parent, "note": note, "do": action}
        subject = f"proposal {proposal_id}"
        connection.execute(_audit(actor, f"{kind}_proposed", subject, moment, about))
    return Proposal(id=int(proposal_id), **row)


def propose_rollback(
    engine: Engine, kind: str, version: str, actor: Actor, *, note: str = ""
) -> Proposal:
    """Propose making an old version's text the one in force again (a rollback is a publish)."""
    text = version_text(engine, kind, version)
    return propose(
        engine,
        kind,
        text,
        actor,
        note=note or f"rollback to {version}",
        detail={"restores": version},
        action="rolled_back",
    )


def proposal(engine: Engine, proposal_id: int) -> Proposal:
    """One proposal; ProposalRefused when there is none with that id."""
    query = select(PROPOSALS).where(PROPOSALS.c.id == proposal_id)
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None:
        raise ProposalRefused(proposal_id, "there is no such proposal")
    return _proposal(row)


def _proposal(row: RowMapping) -> Proposal:
    values = dict(row)
    values["detail"] = dict(values["detail"] or {})
    return Proposal(**values)


def proposals(engine: Engine, status: str | None = "open") -> list[Proposal]:
    """Proposals with `status` (None: all), oldest first."""
    query = select(PROPOSALS).order_by(PROPOSALS.c.id)
    if status is not None:
        query = query.where(PROPOSALS.c.status == status)
    with engine.connect() as connection:
        return [_proposal(row) for row in connection.execute(query).mappings().all()]


def _decidable(engine: Engine, proposal_id: int, actor: Actor) -> Proposal:
    actor.require(PUBLISH)
    _named(actor)
    found = proposal(engine, proposal_id)
    if found.status != "open":
        raise ProposalRefused(proposal_id, f"it was already {found.status} by {found.decided_by}")
    return found


def _close(
    proposal_id: int, status: str, actor: Actor, note: str, moment: datetime, **more: str
) -> Any:
    """Decide an open proposal (no row is updated when someone decided it first)."""
    decided = {"decided_by": actor.name, "decided_at": moment, "decision_note": note}
    return (
        update(PolicyProposal)
        .where(PolicyProposal.id == proposal_id, PolicyProposal.status == "open")
        .values(status=status, **decided, **more)
    )


def _stale(found: Proposal, published: str) -> ProposalRefused:
    return ProposalRefused(
        found.id,
        f"{published} was published since it was proposed against "
        f"{found.base_version}; reject it and propose again",
    )


def approve(
    engine: Engine, proposal_id: int, actor: Actor, *, note: str = "", now: datetime | None = None
) -> Definition:
    """Publish a proposal: only by a publisher who did not propose it, only while the version it was
    proposed against is in force. The approval and the publish are written in one transaction."""
    found = _decidable(engine, proposal_id, actor)
    if found.is_by(actor):
        raise ProposalRefused(
            proposal_id,
            f"{actor.name} proposed it; four-eyes publishing needs a different publisher to approve",
        )
    moment = now or _utcnow()
    prepared = prepare(engine, found.kind, found.text, moment)
    if prepared.parent != found.base_version:
        raise _stale(found, f"{found.kind} {prepared.parent}")
    carried = {key: found.detail[key] for key in CARRIED if key in found.detail}
    detail = carried | {"proposal": proposal_id, "proposed_by": found.proposed_by}
    detail |= {"approved_by": actor.name, **actor.audit_detail()}
    change = Change(actor.name, found.note, found.action)
    try:
        with engine.begin() as connection:
            closed = connection.execute(
                _close(
                    proposal_id,
                    "approved",
                    actor,
                    note,
                    moment,
                    published_version=prepared.version,
                )
            )
            if closed.rowcount != 1:
                raise ProposalRefused(proposal_id, "someone decided it a moment ago")
            if in_force_id(connection, found.kind) != prepared.parent_id:
                raise _stale(found, f"another {found.kind} version")
            about = {"proposal": proposal_id, "to": prepared.version, "note": note}
            about["proposed_by"] = found.proposed_by
            subject = f"proposal {proposal_id}"
            connection.execute(_audit(actor, f"{found.kind}_approved", subject, moment, about))
            row_id = write_prepared(connection, prepared, change, detail, moment)
    except IntegrityError as exc:
        raise raced(prepared) from exc
    origin = (
        f"published {moment:%Y-%m-%d %H:%M}, proposed by {found.proposed_by}, "
        f"approved by {actor.name}"
    )
    return Definition(found.kind, prepared.version, prepared.text, origin, row_id)


def reject(
    engine: Engine, proposal_id: int, actor: Actor, *, note: str = "", now: datetime | None = None
) -> Proposal:
    """Close a proposal without publishing it (its proposer may withdraw it this way too)."""
    found = _decidable(engine, proposal_id, actor)
    moment = now or _utcnow()
    with engine.begin() as connection:
        closed = connection.execute(_close(proposal_id, "rejected", actor, note, moment))
        if closed.rowcount != 1:
            raise ProposalRefused(proposal_id, "someone decided it a moment ago")
        about = {"proposal": proposal_id, "note": note, "proposed_by": found.proposed_by}
        subject = f"proposal {proposal_id}"
        connection.execute(_audit(actor, f"{found.kind}_rejected", subject, moment, about))
    return proposal(engine, proposal_id)


def publish_as(
    engine: Engine,
    kind: str,
    text: str,
    actor: Actor,
    *,
    note: str = "",
    detail: dict[str, Any] | None = None,
    action: str = "published",
    now: datetime | None = None,
) -> Definition:
    """Publish at once, for an actor without four-eyes (single-user mode, or `four_eyes: false`)."""
    actor.require(PUBLISH)
    if actor.four_eyes:
        raise NotPermitted(
            actor.name,
            actor.role,
            f"publish a {kind} alone",
            "four-eyes publishing is on: propose it, and a different publisher approves it",
        )
    _named(actor)
    audit = {**(detail or {}), **actor.audit_detail()}
    change = Change(actor.name, note, action)
    return publish_text(engine, kind, text, change, detail=audit, now=now)
