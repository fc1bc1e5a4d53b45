"""Objective alerts through the outbox: one per breach, one per recovery, delivered by the worker to a
real HTTP receiver on 127.0.0.1, retried, never duplicated."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from crm_servers import Answer, FakeCrm, Fault, Server, WebhookReceiver
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact, HandoffOutbox, LifecycleEvent, ObjectiveState
from scoring.handoff.adapters.alert_webhook import alert_webhook
from scoring.handoff.adapters.base import make_adapter
from scoring.handoff.alerts import queue_alerts
from scoring.handoff.retry import RetryPolicy
from scoring.handoff.worker import Worker
from scoring.objectives import Status

runner = CliRunner()
BREACH_AT = datetime(2026, 3, 1)
RECOVERY_AT = datetime(2026, 4, 1)
OBJECTIVES = """
objectives:
  - name: capacity
    kind: mql_volume
    min: 5
    max: 400
    window_days: 7
    error_budget: 0.5
"""


@dataclass
class SlackReceiver(FakeCrm):
    """An incoming webhook: keeps every message it was sent."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.messages.append(json.loads(body))
        return 200, {}, {"ok": True}


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SMARKETING_HOME", str(tmp_path / "home"))
    database = f"sqlite:///{tmp_path / 'alerts.db'}"
    upgrade(make_engine(database))
    return database


def _mqls_every_day(engine: Engine, first: datetime, days: int, per_day: int) -> None:
    """`per_day` contacts a day entering mql, from `first` for `days` days."""
    contacts, events = [], []
    for day in range(days):
        for n in range(per_day):
            contact = day * 100 + n + 1
            at = first + timedelta(days=day, hours=1)
            contacts.append(
                {
                    "id": contact,
                    "external_id": f"c-{contact}",
                    "created_at": at,
                    "updated_at": at,
                    "lifecycle_stage": "mql",
                    "do_not_contact": False,
                }
            )
            events.append(
                {"contact_id": contact, "to_stage": "mql", "occurred_at": at, "actor": "test"}
            )
    with engine.begin() as connection:
        connection.execute(insert(Contact), contacts)
        connection.execute(insert(LifecycleEvent), events)


def _check(url: str, objectives: Path, at: datetime) -> Any:
    return runner.invoke(
        app,
        [
            "objectives",
            "check",
            "--objectives",
            str(objectives),
            "--at",
            f"{at:%Y-%m-%d}",
            "--database",
            url,
        ],
    )


def _work(url: str) -> None:
    result = runner.invoke(
        app, ["worker", "--database", url, "--adapter", "builtin", "--until-idle", "--id", "w"]
    )
    assert result.exit_code == 0, result.output


def test_a_breach_alerts_once_and_its_recovery_once_through_the_worker(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    objectives = tmp_path / "objectives.yaml"
    objectives.write_text(OBJECTIVES)
    receiver = WebhookReceiver(secret="alert-secret")
    with Server(receiver) as server:
        monkeypatch.setenv("SMARKETING_ALERT_WEBHOOK_URL", f"{server.url}/alerts")
        monkeypatch.setenv("SMARKETING_ALERT_FORMAT", "signed")
        monkeypatch.setenv("SMARKETING_ALERT_SECRET", "alert-secret")

        breached = _check(url, objectives, BREACH_AT)  # no MQL at all: below capacity
        assert breached.exit_code == 1
        assert "alert queued: capacity breach" in breached.output
        _work(url)
        assert list(receiver.accepted) == ["objective:capacity:breach:2026-03-01T00:00:00"]

        again = _check(url, objectives, BREACH_AT + timedelta(days=1))
        assert again.exit_code == 1
        assert "alert queued" not in again.output
        _work(url)
        assert len(receiver.accepted) == 1
        assert len(receiver.requests) == 1

        _mqls_every_day(make_engine(url), RECOVERY_AT - timedelta(days=20), 20, 2)
        recovered = _check(url, objectives, RECOVERY_AT)
        assert recovered.exit_code == 0, recovered.output
        assert "alert queued: capacity recovery" in recovered.output
        _work(url)
        _check(url, objectives, RECOVERY_AT + timedelta(hours=1))
        _work(url)
    assert list(receiver.accepted) == [
        "objective:capacity:breach:2026-03-01T00:00:00",
        "objective:capacity:recovery:2026-04-01T00:00:00",
    ]
    assert not receiver.duplicates
    with Session(make_engine(url)) as session:
        state = session.get(ObjectiveState, "capacity")
        assert state is not None and state.breached is False


def test_without_a_webhook_the_check_queues_nothing(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMARKETING_ALERT_WEBHOOK_URL", raising=False)
    objectives = tmp_path / "objectives.yaml"
    objectives.write_text(OBJECTIVES)
    assert _check(url, objectives, BREACH_AT).exit_code == 1
    with Session(make_engine(url)) as session:
        assert session.scalars(select(HandoffOutbox)).all() == []


def _status(breached: bool) -> Status:
    return Status("capacity", breached, 0.0, 0.0 if breached else 1.0, 2.0, 28, 28)


def test_a_failed_alert_is_retried_and_delivered_once_as_a_slack_message(url: str) -> None:
    engine = make_engine(url)
    policy = RetryPolicy(base_s=1, cap_s=60, horizon=timedelta(hours=1))
    queued = queue_alerts(engine, [_status(True)], at=BREACH_AT, now=BREACH_AT, policy=policy)
    assert [a.kind for a in queued] == ["breach"]
    receiver = SlackReceiver()
    receiver.fail(Fault(503))
    clock = [BREACH_AT]
    with Server(receiver) as server:
        worker = Worker(
            engine,
            make_adapter("builtin", {"engine": engine}),
            policy=policy,
            rng=random.Random(1),
            clock=lambda: clock[0],
            alerts=alert_webhook(server.url, "slack", ""),
        )
        worker.run_once()
        assert receiver.messages == [] and worker.stats.retried == 1
        clock[0] += timedelta(minutes=5)
        worker.run(until_idle=True)
        clock[0] += timedelta(minutes=5)
        worker.run(until_idle=True)
    assert len(receiver.messages) == 1
    assert "*capacity* breached" in receiver.messages[0]["text"]
    assert worker.stats.delivered == 1


def test_two_checks_of_the_same_change_queue_one_alert(url: str) -> None:
    engine = make_engine(url)
    policy = RetryPolicy()
    first = queue_alerts(engine, [_status(True)], at=BREACH_AT, now=BREACH_AT, policy=policy)
    later = BREACH_AT + timedelta(hours=1)
    second = queue_alerts(engine, [_status(True)], at=later, now=later, policy=policy)
    assert len(first) == 1 and second == []
    with Session(engine) as session:
        rows = session.scalars(select(HandoffOutbox)).all()
    assert [(r.topic, r.contact_id) for r in rows] == [("alert", None)]


def test_a_worker_without_an_alert_webhook_leaves_alerts_queued(url: str) -> None:
    engine = make_engine(url)
    queue_alerts(engine, [_status(True)], at=BREACH_AT, now=BREACH_AT, policy=RetryPolicy())
    worker = Worker(engine, make_adapter("builtin", {"engine": engine}), clock=lambda: BREACH_AT)
    assert worker.run_once() == 0
