"""The transactional outbox: queue a handoff with the state change, claim it safely, settle it.

`enqueue` runs inside the caller's transaction (the one that moves the lead to MQL), so the row
exists if and only if the transition does. Workers `claim` due rows with one UPDATE ... RETURNING
whose inner SELECT uses FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the single statement holds
the write lock. Claiming stamps a lease (owner, expiry) and counts the attempt, so a worker killed
mid-delivery only delays its rows until the lease runs out; the attempt counter fences a slow
worker whose lease was taken over.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, or_, select, update
from sqlalchemy.orm import Session

from scoring.db.models import CrmRecord, HandoffAttempt, HandoffOutbox
from scoring.errors import HandoffFailed
from scoring.handoff.gate import write_gate
from scoring.handoff.payload import HandoffPayload
from scoring.handoff.retry import RetryPolicy
from scoring.signals import SignalRow, record_many

OUTBOX = cast(Table, HandoffOutbox.__table__)


def enqueue(
    session: Session, payload: HandoffPayload, *, now: datetime, policy: RetryPolicy
) -> HandoffOutbox:
    """Add the validated payload to the outbox in the session's transaction."""
    row = HandoffOutbox(
        contact_id=payload.lead.id,
        idempotency_key=payload.idempotency_key,
        payload=payload.model_dump(mode="json"),
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        dead_after=now + policy.horizon,
    )
    session.add(row)
    return row


def enqueue_alert(
    session: Session, key: str, payload: dict[str, Any], *, now: datetime, policy: RetryPolicy
) -> None:
    """Add an objective alert (topic "alert", no contact) to the outbox in the session's transaction."""
    session.add(
        HandoffOutbox(
            contact_id=None,
            topic="alert",
            idempotency_key=key,
            payload=payload,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            dead_after=now + policy.horizon,
        )
    )


@dataclass(frozen=True)
class Claim:
    """One outbox row leased to a worker for one attempt."""

    outbox_id: int
    attempt_id: int
    number: int
    contact_id: int | None
    idempotency_key: str
    payload: dict[str, Any]
    dead_after: datetime
    topic: str = "handoff"


def claim(
    engine: Engine,
    worker: str,
    adapter: str,
    *,
    now: datetime,
    limit: int = 10,
    lease: timedelta = timedelta(seconds=60),
    topics: tuple[str, ...] = ("handoff",),
) -> list[Claim]:
    """Lease up to `limit` due rows of `topics` to `worker` and open one attempt row for each."""
    due = (
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.status == "pending",
            OUTBOX.c.topic.in_(topics),
            OUTBOX.c.next_attempt_at <= now,
            or_(OUTBOX.c.lease_expires_at.is_(None), OUTBOX.c.lease_expires_at < now),
        )
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    leased = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(lease_owner=worker, lease_expires_at=now + lease, attempts=OUTBOX.c.attempts + 1)
        .returning(
            OUTBOX.c.id,
            OUTBOX.c.attempts,
            OUTBOX.c.contact_id,
            OUTBOX.c.idempotency_key,
            OUTBOX.c.payload,
            OUTBOX.c.dead_after,
            OUTBOX.c.topic,
        )
    )
    with write_gate(engine), engine.begin() as connection:
        rows = sorted(connection.execute(leased).all())
        if not rows:
            return []
        started = [
            {"outbox_id": r.id, "number": r.attempts, "worker": worker, "adapter": adapter}
            for r in rows
        ]
        attempt_ids = (
            connection.execute(
                insert(HandoffAttempt)
                .values(started_at=now, outcome="started")
                .returning(HandoffAttempt.id, sort_by_parameter_order=True),
                started,
            )
            .scalars()
            .all()
        )
    return [
        Claim(
            r.id, a, r.attempts, r.contact_id, r.idempotency_key, r.payload, r.dead_after, r.topic
        )
        for r, a in zip(rows, attempt_ids, strict=True)
    ]


def _attempt_values(outcome: str, now: datetime, failure: HandoffFailed | None) -> dict[str, Any]:
    values: dict[str, Any] = {"outcome": outcome, "finished_at": now}
    if failure is not None:
        values |= {
            "http_status": failure.status,
            "error": failure.body[:2000],
            "retry_after_s": failure.retry_after,
        }
    return values


def settle_delivered(
    engine: Engine, claim: Claim, crm_id: str | None, *, now: datetime, crm: str | None = None
) -> bool:
    """Mark the row delivered (whoever holds the lease: delivery is idempotent by key).

    With `crm` and `crm_id`, where the lead lives in that CRM is recorded (`crm_records`), so
    the CRM's webhooks can name it. Returns False when another attempt had already settled it.
    """
    with write_gate(engine), Session(engine) as session, session.begin():
        done = session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == claim.outbox_id, OUTBOX.c.status == "pending")
            .values(
                status="delivered",
                delivered_at=now,
                crm_id=crm_id,
                lease_owner=None,
                lease_expires_at=None,
            )
        )
        session.execute(
            update(HandoffAttempt)
            .where(HandoffAttempt.id == claim.attempt_id)
            .values(_attempt_values("delivered", now, None))
        )
        _signal(session, claim, "delivered", now, crm_id=crm_id)
        if crm is not None and crm_id is not None:
            _remember_crm_record(session, claim, crm, crm_id, now)
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _remember_crm_record(
    session: Session, claim: Claim, crm: str, crm_id: str, now: datetime
) -> None:
    query = select(CrmRecord).where(CrmRecord.crm == crm, CrmRecord.contact_id == claim.contact_id)
    record = session.scalars(query).first()
    if record is None:
        record = CrmRecord(crm=crm, contact_id=claim.contact_id)
        session.add(record)
    record.crm_id = crm_id
    record.owner_rep_id = claim.payload.get("assigned_rep", {}).get("id")
    record.idempotency_key = claim.idempotency_key
    record.synced_at = now


def settle_failed(
    engine: Engine,
    claim: Claim,
    failure: HandoffFailed,
    *,
    worker: str,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> str:
    """Schedule the next attempt or make the row a dead letter; returns "retry" or "dead".

    Only the lease holder of this attempt may reschedule (fenced by the attempt number).
    """
    due = None
    if failure.retryable:
        due = policy.next_attempt(
            claim.number, failure.retry_after, now=now, dead_after=claim.dead_after, rng=rng
        )
    outcome = "retry" if due is not None else "dead"
    values: dict[str, Any] = {
        "last_status": failure.status,
        "last_error": failure.body[:2000],
        "lease_owner": None,
        "lease_expires_at": None,
    }
    values |= {"next_attempt_at": due} if due is not None else {"status": "dead"}
    with write_gate(engine), Session(engine) as session, session.begin():
        session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == claim.outbox_id,
                OUTBOX.c.status == "pending",
                OUTBOX.c.lease_owner == worker,
                OUTBOX.c.attempts == claim.number,
            )
            .values(values)
        )
        session.execute(
            update(HandoffAttempt)
            .where(HandoffAttempt.id == claim.attempt_id)
            .values(_attempt_values(outcome, now, failure))
        )
        _signal(session, claim, outcome, now, status=failure.status, error=failure.body[:300])
    return outcome


def _signal(session: Session, claim: Claim, outcome: str, now: datetime, **extra: Any) -> None:
    data = {"key": claim.idempotency_key, "attempt": claim.number, "outcome": outcome, **extra}
    record_many(session, [SignalRow("handoff_attempt", "worker", claim.contact_id, data, now)])


def dead_letters(session: Session, limit: int = 1000) -> list[HandoffOutbox]:
    """Rows that exhausted their retries or were refused for good, newest first."""
    query = (
        select(HandoffOutbox)
        .where(HandoffOutbox.status == "dead")
        .order_by(HandoffOutbox.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def replay(
    session: Session, ids: Iterable[int] | None, *, now: datetime, policy: RetryPolicy
) -> int:
    """Put dead letters back in the queue with a fresh horizon; `ids=None` replays all of them."""
    query = update(OUTBOX).where(OUTBOX.c.status == "dead")
    if ids is not None:
        query = query.where(OUTBOX.c.id.in_(list(ids)))
    result = session.execute(
        query.values(
            status="pending", next_attempt_at=now, dead_after=now + policy.horizon, lease_owner=None
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
