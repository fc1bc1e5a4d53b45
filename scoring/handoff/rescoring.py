"""The rescore queue: write paths note which leads changed, the worker rescores them in batches.

In queue mode (`SMARKETING_RESCORE=queue`) an ingest only records the affected leads here, which
keeps its transaction short; `drain` then scores up to a few hundred waiting leads with one
vectorised rulebook evaluation and writes the results in short transactions.

Lock order, the same as the ingest's: contacts first (in id order, skipping those another
transaction holds: that transaction queues them again), then their queue rows.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Collection
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scoring.db.models import Contact, RescoreRequest
from scoring.handoff.gate import write_gate
from scoring.handoff.qualify import Pipeline, Rescored, apply_scores, scored, store_shadow

QUEUE = cast(Table, RescoreRequest.__table__)
DRAIN_SOURCE = "rescore"


def request_rescore(
    session: Session, contact_ids: Collection[int], now: datetime, source: str
) -> None:
    """Queue `contact_ids` for rescoring in the session's transaction (a lead is queued at most once)."""
    if not contact_ids:
        return
    rows = [{"contact_id": i, "queued_at": now, "source": source} for i in sorted(contact_ids)]
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # A lead queued again gets a fresh time: a drain that read the old one leaves it queued.
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(QUEUE)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=["contact_id"], set_={"queued_at": upsert.excluded.queued_at}
            ),
            rows,
        )
    else:
        queued = set(
            session.scalars(select(QUEUE.c.contact_id).where(QUEUE.c.contact_id.in_(contact_ids)))
        )
        fresh = [row for row in rows if row["contact_id"] not in queued]
        if fresh:
            session.execute(insert(QUEUE), fresh)


def waiting(session: Session) -> int:
    """How many leads wait to be rescored."""
    return int(session.scalar(select(func.count()).select_from(QUEUE)) or 0)


def drain(
    engine: Engine, pipeline: Pipeline, *, now: datetime, limit: int = 500, budget_s: float = 0.02
) -> Rescored:
    """Rescore up to `limit` waiting leads (oldest first) and hand off those that qualify.

    The scores are computed in one read-only pass (the expensive, vectorised part), then written
    lead by lead in transactions that commit once they have been open `budget_s`, so no other
    writer waits long for this one (SQLite has a single writer). A lead queued again while it was
    being scored keeps its (refreshed) queue row and is scored once more next time.
    """
    with engine.connect() as connection:
        waiting_rows = connection.execute(
            select(QUEUE.c.contact_id, QUEUE.c.queued_at).order_by(QUEUE.c.queued_at).limit(limit)
        ).all()
    if not waiting_rows:
        return Rescored()
    queued_at = {row.contact_id: row.queued_at for row in waiting_rows}
    with Session(engine) as session:
        live, candidate, canary = scored(session, pipeline, list(queued_at), now)
    results = sorted(live, key=lambda r: r.contact_id)
    if candidate:  # the shadow's scores, stored apart in a short transaction of their own
        with write_gate(engine), Session(engine) as session, session.begin():
            store_shadow(session, pipeline, candidate, canary, now)
    done = Rescored()
    pending = deque(results)
    while pending:
        with write_gate(engine), Session(engine) as session, session.begin():
            opened = time.perf_counter()
            while pending and time.perf_counter() - opened < budget_s:
                result = pending.popleft()
                if _take(session, [result.contact_id], queued_at):
                    apply_scores(session, pipeline, [result], now, DRAIN_SOURCE, done)
    return done


def _take(session: Session, ids: Collection[int], queued_at: dict[int, datetime]) -> list[int]:
    """Lock the part's contacts (skipping those another writer holds), then remove their queue
    rows unless they were queued again after this drain read them."""
    locked = session.scalars(
        select(Contact.id)
        .where(Contact.id.in_(list(ids)))
        .order_by(Contact.id)
        .with_for_update(skip_locked=True, key_share=True)
    ).all()
    taken = []
    for contact_id in locked:
        removed = session.execute(
            delete(QUEUE).where(
                QUEUE.c.contact_id == contact_id, QUEUE.c.queued_at == queued_at[contact_id]
            )
        )
        if removed.rowcount:  # type: ignore[attr-defined]
            taken.append(contact_id)
    return taken
