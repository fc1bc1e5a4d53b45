"""Objective alerts through the outbox: one alert per breach and one per recovery, never twice.

`queue_alerts` compares each objective's verdict with the state its last alert left in
`objective_states` and, in one transaction, moves the state and queues the alert (an outbox row of
topic "alert"); `smarketing worker` delivers it like a handoff (leases, retries, dead letters) through
an `AlertSender`. The state moves only where it still holds the value this check read, so two checks
running at once queue one alert between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.db.models import ObjectiveState
from scoring.handoff.gate import write_gate
from scoring.handoff.outbox import enqueue_alert
from scoring.handoff.retry import RetryPolicy
from scoring.objectives import Status
from scoring.objectives.alerts import Alert, transitions

ALERT_FORMATS = ("slack", "signed")


class AlertSender(Protocol):
    """Delivers one queued alert (the Alert's fields); raises HandoffFailed on any failure."""

    name: str

    def deliver(self, alert: Mapping[str, Any]) -> None: ...

    def close(self) -> None: ...


def alert_states(engine: Engine) -> dict[str, bool]:
    """Objective name -> whether its last alert said breached."""
    with engine.connect() as connection:
        rows = connection.execute(select(ObjectiveState.objective, ObjectiveState.breached))
        return {name: bool(breached) for name, breached in rows}


def _move_state(
    session: Session, alert: Alert, previous: Mapping[str, bool], now: datetime
) -> bool:
    """Move the objective's state to the alert's; False when another check moved it first."""
    values = {"breached": alert.kind == "breach", "changed_at": now, "alert_key": alert.key}
    if alert.objective not in previous:
        try:
            with session.begin_nested():
                session.execute(insert(ObjectiveState).values(objective=alert.objective, **values))
        except IntegrityError:
            return False
        return True
    moved = session.execute(
        update(ObjectiveState)
        .where(
            ObjectiveState.objective == alert.objective,
            ObjectiveState.breached == previous[alert.objective],
        )
        .values(values)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def queue_alerts(
    engine: Engine, statuses: Iterable[Status], *, at: datetime, now: datetime, policy: RetryPolicy
) -> list[Alert]:
    """Queue one alert per objective whose breached state changed; returns the alerts queued.

    An objective never alerted before counts as healthy, so a first check alerts its breaches only.
    """
    previous = alert_states(engine)
    candidates = transitions(previous, statuses, at.isoformat(timespec="seconds"))
    queued = []
    with write_gate(engine), Session(engine) as session, session.begin():
        for alert in candidates:
            if _move_state(session, alert, previous, now):
                enqueue_alert(session, alert.key, asdict(alert), now=now, policy=policy)
                queued.append(alert)
    return queued
