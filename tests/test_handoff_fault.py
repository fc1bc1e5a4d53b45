"""Fault test: 1,000 MQL handoffs reach a real receiver exactly once while workers are SIGKILLed.

Worker processes (`python -m scoring.cli worker`) are killed at random moments at least 20 times
and restarted; the receiver on 127.0.0.1 answers 429/5xx and slowly on purpose and is down for a
stretch. At the end every handoff was accepted exactly once by idempotency key and none is lost;
transport-level duplicates (a delivery whose answer was lost to a kill or a timeout) are counted
and printed, not hidden.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from crm_servers import Fault, Server, WebhookReceiver
from handoff_world import queue_handoffs
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.db.models import HandoffAttempt, HandoffOutbox
from scoring.settings import PROJECT_ROOT

HANDOFFS = 1000
WORKERS = 3
MIN_KILLS = 20
KILL_PHASE_S = 240
FINISH_S = 90
SECRET = "fault-secret"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(KILL_PHASE_S + FINISH_S + 60)]


@dataclass
class Fleet:
    """Worker processes, each killed some time after it reported ready, and replaced at once."""

    database_url: str
    receiver_url: str
    logs: Path
    rng: random.Random
    kills: int = 0
    started: int = 0
    procs: list[tuple[subprocess.Popen[bytes], Path, float]] = field(default_factory=list)

    def spawn(self) -> None:
        self.started += 1
        log = self.logs / f"worker-{self.started}.log"
        env = {
            **os.environ,
            "SMARKETING_CRM_ADAPTER": "webhook",
            "SMARKETING_RESCORE": "inline",  # these workers only deliver
            "SMARKETING_WEBHOOK_URL": f"{self.receiver_url}/hooks/handoff",
            "SMARKETING_WEBHOOK_SECRET": SECRET,
            "SMARKETING_WORKER_LEASE": "2",
            "SMARKETING_CRM_TIMEOUT": "0.5",
            "SMARKETING_RETRY_BASE": "0.1",
            "SMARKETING_RETRY_CAP": "1",
        }
        command = [sys.executable, "-m", "scoring.cli", "worker", "--database", self.database_url]
        command += ["--batch", "5", "--poll", "0.1", "--id", f"w{self.started}"]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env
            )
        self.procs.append((proc, log, 0.0))

    def tick(self, killing: bool) -> None:
        """Note which workers became ready; kill those whose random moment has come; replace them."""
        now = time.monotonic()
        for index, (proc, log, kill_at) in enumerate(list(self.procs)):
            if kill_at == 0.0 and b"ready" in log.read_bytes():
                self.procs[index] = (proc, log, now + self.rng.uniform(0.1, 1.5))
            elif killing and kill_at and now >= kill_at:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                self.kills += 1
                self.procs[index] = (proc, log, -1.0)
                self.spawn()
        self.procs = [p for p in self.procs if p[2] != -1.0]

    def stop(self) -> None:
        for proc, _log, _ in self.procs:
            proc.terminate()
        for proc, _log, _ in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(HandoffOutbox.status, func.count()).group_by(HandoffOutbox.status)
        )
        return {status: int(n) for status, n in rows}


def _chaos(receiver: WebhookReceiver, rng: random.Random) -> None:
    """Queue a random fault now and then: rate limits, server errors, answers too slow to wait for."""
    choice = rng.random()
    if choice < 0.4:
        receiver.fail(Fault(429, retry_after="1"))
    elif choice < 0.7:
        receiver.fail(Fault(rng.choice([500, 502, 503])))
    else:
        receiver.fail(Fault(delay_s=0.8))


def test_every_handoff_is_accepted_exactly_once_through_kills_and_outages(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    setup_s = queue_handoffs(engine, HANDOFFS)
    with Session(engine) as session:
        keys = set(session.scalars(select(HandoffOutbox.idempotency_key)))
    assert len(keys) == HANDOFFS

    rng = random.Random(20261126)
    receiver = WebhookReceiver(secret=SECRET, slow_s=0.003)
    server = Server(receiver).start()
    fleet = Fleet(database_url, server.url, tmp_path, rng)
    started = time.monotonic()
    outage: tuple[float, float] | None = None
    kills_done: float | None = None
    try:
        for _ in range(WORKERS):
            fleet.spawn()
        while time.monotonic() - started < KILL_PHASE_S + FINISH_S:
            killing = fleet.kills < MIN_KILLS and time.monotonic() - started < KILL_PHASE_S
            fleet.tick(killing)
            if killing and len(receiver.faults) < 3 and rng.random() < 0.15:
                _chaos(receiver, rng)
            if outage is None and fleet.kills >= MIN_KILLS // 2:
                server.stop()
                outage = (time.monotonic(), 0.0)
                time.sleep(2.0)
                server.start()
                outage = (outage[0], time.monotonic())
            if not killing and kills_done is None:
                kills_done = time.monotonic() - started
            if not killing and _counts(engine).get("pending", 0) == 0:
                break
            time.sleep(0.05)
    finally:
        fleet.stop()
        server.stop()
    elapsed = time.monotonic() - started

    counts = _counts(engine)
    with Session(engine) as session:
        attempts = dict(
            session.execute(
                select(HandoffAttempt.outcome, func.count()).group_by(HandoffAttempt.outcome)
            ).all()
        )
    duplicates = sum(receiver.duplicates.values())
    print(
        f"\nfault test [{engine.dialect.name}]: {HANDOFFS} MQL handoffs queued in {setup_s:.1f} s; "
        f"delivered in {elapsed:.1f} s by {fleet.started} worker processes, {fleet.kills} SIGKILLs "
        f"in the first {kills_done or 0:.1f} s, "
        f"receiver down {outage[1] - outage[0] if outage else 0:.1f} s; accepted once: {len(receiver.accepted)}; "
        f"transport-level duplicates: {duplicates} ({len(receiver.duplicates)} keys); attempts {attempts}"
    )
    assert fleet.kills >= MIN_KILLS
    assert outage is not None
    assert counts == {"delivered": HANDOFFS}, counts
    assert set(receiver.accepted) == keys  # none lost, none invented, each accepted once
    assert len(receiver.accepted) == HANDOFFS
