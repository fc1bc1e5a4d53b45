"""The outbox on every backend: leases, concurrent claims, fencing, retries, dead letters, replay."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from crm_servers import Fault, Server, WebhookReceiver
from handoff_world import NOW, sample_payload
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact, CrmRecord, HandoffAttempt, HandoffOutbox, Rep, Signal
from scoring.errors import HandoffFailed
from scoring.handoff.adapters.base import make_adapter
from scoring.handoff.outbox import (
    claim,
    dead_letters,
    enqueue,
    replay,
    settle_delivered,
    settle_failed,
)
from scoring.handoff.retry import RetryPolicy
from scoring.handoff.worker import Worker

POLICY = RetryPolicy(base_s=1, cap_s=60, horizon=timedelta(hours=1))
LEASE = timedelta(seconds=30)


def queue(engine: Engine, count: int) -> None:
    """`count` contacts, each with one pending handoff created at NOW (assigned to rep 1)."""
    with Session(engine) as session, session.begin():
        session.add(
            Rep(
                id=1,
                email="ada@sales.example",
                name="Ada",
                team="T",
                territory="X",
                weekly_capacity=9,
                active=True,
            )
        )
        session.flush()
        session.execute(
            insert(Contact),
            [
                {
                    "id": n,
                    "external_id": f"c-{n}",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "lifecycle_stage": "mql",
                    "do_not_contact": False,
                }
                for n in range(1, count + 1)
            ],
        )
        for n in range(1, count + 1):
            enqueue(session, sample_payload(n), now=NOW, policy=POLICY)


def rows(engine: Engine) -> list[HandoffOutbox]:
    with Session(engine) as session:
        return list(session.scalars(select(HandoffOutbox).order_by(HandoffOutbox.id)))


def test_a_claim_leases_rows_until_the_lease_runs_out(engine: Engine) -> None:
    queue(engine, 3)
    mine = claim(engine, "w1", "webhook", now=NOW, limit=2, lease=LEASE)
    assert [c.number for c in mine] == [1, 1]
    assert len(claim(engine, "w2", "webhook", now=NOW, limit=10, lease=LEASE)) == 1
    assert (
        claim(engine, "w2", "webhook", now=NOW + timedelta(seconds=29), limit=10, lease=LEASE) == []
    )
    taken_over = claim(
        engine, "w2", "webhook", now=NOW + timedelta(seconds=31), limit=10, lease=LEASE
    )
    assert {c.outbox_id for c in taken_over} == {1, 2, 3}
    assert {c.number for c in taken_over} == {2}
    with Session(engine) as session:
        started = session.scalars(select(HandoffAttempt.outcome)).all()
    assert started == ["started"] * 6  # abandoned attempts stay as evidence


def test_concurrent_workers_claim_disjoint_rows(engine: Engine) -> None:
    queue(engine, 60)
    claimed: list[list[int]] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while batch := claim(engine, name, "webhook", now=NOW, limit=7, lease=LEASE):
            with lock:
                claimed.append([c.outbox_id for c in batch])

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for batch in claimed for i in batch]
    assert sorted(ids) == list(range(1, 61))


def test_a_worker_whose_lease_was_taken_over_cannot_reschedule(engine: Engine) -> None:
    queue(engine, 1)
    (old,) = claim(engine, "slow", "webhook", now=NOW, lease=LEASE)
    later = NOW + timedelta(seconds=40)
    (new,) = claim(engine, "fast", "webhook", now=later, lease=LEASE)
    failure = HandoffFailed(1, 503, "busy")
    settle_failed(
        engine, old, failure, worker="slow", now=later, policy=POLICY, rng=random.Random(1)
    )
    assert rows(engine)[0].lease_owner == "fast"
    assert settle_delivered(engine, new, "crm-1", now=later, crm="hubspot") is True
    assert settle_delivered(engine, old, "crm-1", now=later, crm="hubspot") is False
    assert (rows(engine)[0].status, rows(engine)[0].crm_id) == ("delivered", "crm-1")
    with Session(engine) as session:
        record = session.scalars(select(CrmRecord)).one()  # where HubSpot's webhooks will name it
    assert (record.crm, record.crm_id, record.contact_id, record.owner_rep_id) == (
        "hubspot",
        "crm-1",
        1,
        1,
    )


def test_failures_back_off_honour_retry_after_and_die_at_the_horizon(engine: Engine) -> None:
    queue(engine, 2)
    (first,) = claim(engine, "w", "webhook", now=NOW, limit=1, lease=LEASE)
    busy = HandoffFailed(1, 429, "slow down", retry_after=120)
    assert (
        settle_failed(engine, first, busy, worker="w", now=NOW, policy=POLICY, rng=random.Random(1))
        == "retry"
    )
    row = rows(engine)[0]
    assert row.next_attempt_at >= NOW + timedelta(seconds=120)
    assert (row.last_status, row.lease_owner) == (429, None)
    late = NOW + timedelta(minutes=59, seconds=59)
    claims = {
        c.outbox_id: c for c in claim(engine, "w", "webhook", now=late, limit=10, lease=LEASE)
    }
    again, other = claims[1], claims[2]
    server_error = HandoffFailed(1, 500, "x")
    rng = random.Random(1)
    assert (
        settle_failed(engine, again, server_error, worker="w", now=late, policy=POLICY, rng=rng)
        == "dead"
    )
    final = HandoffFailed(2, 400, "bad request", retryable=False)
    assert (
        settle_failed(engine, other, final, worker="w", now=late, policy=POLICY, rng=rng) == "dead"
    )
    with Session(engine) as session, session.begin():
        assert [r.id for r in dead_letters(session)] == [2, 1]
        assert replay(session, [1], now=late, policy=POLICY) == 1
    row = rows(engine)[0]
    assert (row.status, row.next_attempt_at, row.dead_after) == (
        "pending",
        late,
        late + POLICY.horizon,
    )
    with Session(engine) as session:
        outcomes = session.scalars(
            select(Signal.data["outcome"].as_string()).where(Signal.kind == "handoff_attempt")
        )
        assert sorted(outcomes) == ["dead", "dead", "retry"]


def test_the_worker_retries_through_faults_and_records_every_attempt(sqlite_engine: Engine) -> None:
    queue(sqlite_engine, 3)
    receiver = WebhookReceiver()
    receiver.fail(Fault(503, retry_after="0"), Fault(500), Fault(400))
    with Server(receiver) as server:
        options = {"webhook_url": server.url, "webhook_secret": "receiver-secret", "timeout": 2}
        adapter = make_adapter("webhook", options)
        policy = RetryPolicy(base_s=0.01, cap_s=0.05, horizon=timedelta(hours=1))
        worker = Worker(
            sqlite_engine, adapter, policy=policy, batch=1, clock=lambda: datetime.now()
        )
        stats = worker.run(until_idle=True)
        for _ in range(100):  # retries come due within milliseconds
            if all(r.status != "pending" for r in rows(sqlite_engine)):
                break
            stats = worker.run(until_idle=True)
    assert (stats.delivered, stats.dead) == (2, 1)
    with Session(sqlite_engine) as session:
        attempts = session.execute(
            select(HandoffAttempt.outcome, HandoffAttempt.http_status).order_by(HandoffAttempt.id)
        ).all()
    assert [tuple(a) for a in attempts[:3]] == [("retry", 503), ("retry", 500), ("dead", 400)]
    assert sorted(receiver.accepted) == ["mql-1-1", "mql-2-2"]


@given(
    attempt=st.integers(1, 40),
    retry_after=st.none() | st.floats(0, 10_000),
    seed=st.integers(0, 2**32),
)
def test_backoff_is_bounded_jittered_and_never_shorter_than_retry_after(
    attempt: int, retry_after: float | None, seed: int
) -> None:
    policy = RetryPolicy(base_s=2, cap_s=900, jitter=0.5)
    delay = policy.delay(attempt, retry_after, random.Random(seed))
    backoff = min(900, 2 * 2 ** (attempt - 1))
    assert delay >= backoff * 0.5
    assert delay <= max(backoff, retry_after or 0)
    if retry_after is not None:
        assert delay >= retry_after


@pytest.mark.parametrize(("age_h", "dead"), [(71, False), (73, True)])
def test_a_retry_beyond_the_three_day_horizon_is_a_dead_letter(age_h: int, dead: bool) -> None:
    policy = RetryPolicy()
    created = NOW
    now = created + timedelta(hours=age_h)
    due = policy.next_attempt(
        3, None, now=now, dead_after=created + policy.horizon, rng=random.Random(0)
    )
    assert (due is None) is dead
