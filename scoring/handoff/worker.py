"""The handoff worker: claim due outbox rows, deliver them through a CRM adapter, record each attempt.

Several workers (processes or machines) can run against one database; see scoring.handoff.outbox
for how they share the queue. A worker killed at any moment loses nothing: its leased rows come
back when the lease runs out, and the receiver deduplicates by idempotency key.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import Engine

from scoring.errors import HandoffFailed
from scoring.handoff.adapters.base import CrmAdapter
from scoring.handoff.alerts import AlertSender
from scoring.handoff.outbox import Claim, claim, settle_delivered, settle_failed
from scoring.handoff.payload import HandoffPayload
from scoring.handoff.qualify import Pipeline
from scoring.handoff.rescoring import drain
from scoring.handoff.retry import RetryPolicy
from scoring.metrics import count_delivery
from scoring.policy import LivePolicy

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class WorkerStats:
    """What one worker did since it started."""

    rescored: int = 0
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0


@dataclass
class Worker:
    """Deliver outbox rows through `adapter` until stopped (or until the queue is idle)."""

    engine: Engine
    adapter: CrmAdapter
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    worker_id: str = field(default_factory=default_worker_id)
    batch: int = 10
    lease: timedelta = timedelta(seconds=60)
    poll_s: float = 1.0
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = _utcnow
    stats: WorkerStats = field(default_factory=WorkerStats)
    pipeline: Pipeline | None = None
    """When set, queued leads are rescored (and new MQLs handed off) before each claim."""
    live: LivePolicy[Pipeline] | None = None
    """Like `pipeline`, but what is in force now: a publish reaches the next batch."""
    rescore_batch: int = 500
    alerts: AlertSender | None = None
    """When set, objective alerts (outbox topic "alert") are delivered through it too."""

    @property
    def topics(self) -> tuple[str, ...]:
        """The outbox topics this worker claims."""
        return ("handoff", "alert") if self.alerts is not None else ("handoff",)

    def _send(self, item: Claim) -> str | None:
        if item.topic == "alert" and self.alerts is not None:
            self.alerts.deliver(item.payload)
            return None
        return self.adapter.deliver(HandoffPayload.model_validate(item.payload))

    def deliver(self, item: Claim) -> str:
        """One attempt for one claimed row; returns "delivered", "retry" or "dead"."""
        try:
            crm_id = self._send(item)
        except ValidationError as exc:
            failure = HandoffFailed(
                item.contact_id, None, f"stored payload invalid: {exc}", retryable=False
            )
        except HandoffFailed as exc:
            failure = exc
        except (
            Exception
        ) as exc:  # an adapter bug or outage: recorded, retried, dead-lettered in time
            log.exception("%s delivery raised on %s", item.topic, item.idempotency_key)
            failure = HandoffFailed(item.contact_id, None, f"{type(exc).__name__}: {exc}")
        else:
            # The built-in CRM keeps its own records; an external CRM's id is remembered here.
            crm = (
                None
                if self.adapter.name == "builtin" or item.topic != "handoff"
                else self.adapter.name
            )
            settle_delivered(self.engine, item, crm_id, now=self.clock(), crm=crm)
            self.stats.delivered += 1
            count_delivery("delivered", item.number)
            return "delivered"
        outcome = settle_failed(
            self.engine,
            item,
            failure,
            worker=self.worker_id,
            now=self.clock(),
            policy=self.policy,
            rng=self.rng,
        )
        if outcome == "dead":
            self.stats.dead += 1
        else:
            self.stats.retried += 1
        count_delivery("dead" if outcome == "dead" else "failed", item.number)
        log.info(
            "handoff %s attempt %d: %s (%s)", item.idempotency_key, item.number, outcome, failure
        )
        return outcome

    def run_once(self) -> int:
        """Rescore queued leads, then claim one batch and attempt every row of it.

        Returns how many leads and rows it worked on (0: nothing to do).
        """
        rescored = 0
        pipeline = self.live.current() if self.live is not None else self.pipeline
        if pipeline is not None:
            rescored = drain(
                self.engine, pipeline, now=self.clock(), limit=self.rescore_batch
            ).scored
            self.stats.rescored += rescored
        claims = claim(
            self.engine,
            self.worker_id,
            self.adapter.name,
            now=self.clock(),
            limit=self.batch,
            lease=self.lease,
            topics=self.topics,
        )
        self.stats.claimed += len(claims)
        for item in claims:
            self.deliver(item)
        return rescored + len(claims)

    def run(self, stop: threading.Event | None = None, *, until_idle: bool = False) -> WorkerStats:
        """Loop until `stop` is set; with `until_idle`, return at the first empty claim."""
        stop = stop or threading.Event()
        while not stop.is_set():
            if self.run_once() == 0:
                if until_idle:
                    break
                stop.wait(self.poll_s)
        return self.stats
