"""Prometheus series of the API and the worker: every name, type and label is declared here, once.

Counters and histograms live on prometheus_client's default registry. They are created when this
module is first imported, so every app or worker built in one process shares them and none is
registered twice. What happens inside a database transaction is counted by `on_commit`: it is
published when that transaction commits, so a unit of work that was retried or rolled back counts
nothing. The outbox gauges are read when Prometheus scrapes, with one small query, by a collector
bound to the engine of the process that serves them (`registry_for(engine)`).

Labels stay few and bounded: `source` is a configured source (or `unknown`), `outcome` and `reason`
come from the fixed tuples below, `route` is a route template (never a raw path), `method` one of
`METHODS`, `rulebook_version` a published version. No label carries personal data.
docs/operations.md says what each series means and what to alert on.
"""

from __future__ import annotations

import logging
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import cast

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine, Table, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from scoring.db.models import HandoffOutbox, ParkedFeedback, RescoreRequest
from scoring.errors import ConfigError

log = logging.getLogger(__name__)
disable_created_metrics()  # `_created` series double the output and nothing here reads them

REASONS: dict[str, tuple[str, ...]] = {
    "accepted": ("",),
    "duplicate": ("",),
    # an event of a batch that could not be applied (scoring.api.parsing, scoring.api.batch)
    "rejected": ("invalid", "unknown_lead", "unknown_campaign", "email_taken", "other"),
    # a request refused at the door, before its events were read: the error kind of the answer
    "refused": ("unauthenticated", "forbidden", "too_large", "rate_limited", "duplicate", "other"),
}
UNKNOWN_SOURCE = "unknown"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
DELIVERY_RESULTS = ("delivered", "failed", "dead")

EVENTS = Counter(
    "smarketing_events",
    "Inbound events by source, outcome and reason; a refused request counts once (its body is not read).",
    ["source", "outcome", "reason"],
)
REQUEST_SECONDS = Histogram(
    "smarketing_http_request_duration_seconds",
    "API request latency by route template, method and status class.",
    ["route", "method", "status_class"],
)
SCORING_SECONDS = Histogram(
    "smarketing_scoring_duration_seconds",
    "Time to score one set of leads with the rulebook in force (a request's or a worker batch's).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
MQLS = Counter(
    "smarketing_mqls",
    "Leads moved to MQL (and handed off), by rulebook version.",
    ["rulebook_version"],
)
DELIVERIES = Counter(
    "smarketing_handoff_deliveries",
    "Handoff delivery attempts by result: delivered, failed (retried later), dead (given up).",
    ["result"],
)
RETRIES = Counter("smarketing_handoff_retries", "Delivery attempts that were a retry of a handoff.")
DEAD_LETTERS = Counter(
    "smarketing_handoff_dead_letters", "Handoffs that became dead letters (failed for good)."
)
PARKED = Counter(
    "smarketing_feedback_parked",
    "CRM verdicts parked as needs reason (a disqualification without its reason; no lead moved).",
    ["source"],
)
for _result in DELIVERY_RESULTS:
    DELIVERIES.labels(_result)  # present at 0 from the start, so rate() sees the first one


# -- counting on commit -------------------------------------------------------------------------

_PENDING = "smarketing.metrics.on_commit"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's transaction commits; forget it if that transaction, or the
    savepoint it was queued in, rolls back."""
    queued_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((queued_in, action))


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction may still roll back
    for _, action in session.info.pop(_PENDING, ()):
        action()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(t, a) for t, a in pending if not _inside(t, previous)]


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # closed without a commit: nothing of it happened
        session.info.pop(_PENDING, None)


# -- what the API and the worker count ----------------------------------------------------------


def _reason(outcome: str, reason: str) -> str:
    allowed = REASONS[outcome]
    return reason if reason in allowed else allowed[-1]


def count_events(session: Session, source: str, outcomes: Iterable[tuple[str, str]]) -> None:
    """Count events of `source` by (outcome, reason) when the session's transaction commits."""
    tally = Tally((outcome, _reason(outcome, reason)) for outcome, reason in outcomes)

    def publish() -> None:
        for (outcome, reason), count in tally.items():
            EVENTS.labels(source, outcome, reason).inc(count)

    if tally:
        on_commit(session, publish)


def count_refused(source: str | None, reason: str) -> None:
    """Count one request refused at the door; `source` only when it is a configured one."""
    EVENTS.labels(source or UNKNOWN_SOURCE, "refused", _reason("refused", reason)).inc()


def count_parked(session: Session, source: str) -> None:
    """Count one CRM verdict parked as needs reason when the transaction commits."""
    on_commit(session, lambda: PARKED.labels(source).inc())


def count_mql(session: Session, rulebook_version: str) -> None:
    """Count one lead moved to MQL under `rulebook_version` when the transaction commits."""
    on_commit(session, lambda: MQLS.labels(rulebook_version).inc())


def count_delivery(result: str, attempt: int) -> None:
    """Count one delivery attempt (`attempt` numbers from 1) settled as `result`."""
    DELIVERIES.labels(result).inc()
    if attempt > 1:
        RETRIES.inc()
    if result == "dead":
        DEAD_LETTERS.inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """One API request: its route template, method and status class (2xx, 4xx, ...)."""
    verb = method if method in METHODS else "other"
    REQUEST_SECONDS.labels(route, verb, f"{status // 100}xx").observe(seconds)


# -- gauges read at scrape time -----------------------------------------------------------------

OUTBOX = cast(Table, HandoffOutbox.__table__)
QUEUE = cast(Table, RescoreRequest.__table__)
PARKED_TABLE = cast(Table, ParkedFeedback.__table__)


class QueueGauges:
    """Outbox depth, oldest pending age, dead letters, rescore queue and parked verdicts of one
    database.

    One query per scrape; when the database does not answer, only `smarketing_database_up 0`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> Iterator[Metric]:
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        try:
            values = self._read()
        except SQLAlchemyError as exc:
            log.warning("metrics: the database did not answer: %s", str(exc).splitlines()[0])
            values = None
        yield from self._families(values)

    def _read(self) -> tuple[float, ...]:
        pending = OUTBOX.c.status == "pending"
        count = func.count()
        query = select(
            select(count).select_from(OUTBOX).where(pending).scalar_subquery(),
            select(func.min(OUTBOX.c.created_at)).where(pending).scalar_subquery(),
            select(count).select_from(OUTBOX).where(OUTBOX.c.status == "dead").scalar_subquery(),
            select(count).select_from(QUEUE).scalar_subquery(),
            select(count)
            .select_from(PARKED_TABLE)
            .where(PARKED_TABLE.c.status == "waiting")
            .scalar_subquery(),
        )
        with self.engine.connect() as connection:
            depth, oldest, dead, waiting, parked = connection.execute(query).one()
        now = datetime.now(UTC).replace(tzinfo=None)  # stored times are naive UTC
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        return float(depth or 0), age, float(dead or 0), float(waiting or 0), float(parked or 0)

    @staticmethod
    def _families(values: tuple[float, ...] | None = None) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "smarketing_database_up",
            "1 when the scrape's query of the database answered, else 0.",
            value=0 if values is None else 1,
        )
        gauges = (
            ("smarketing_outbox_depth", "Handoffs waiting to be delivered (pending)."),
            (
                "smarketing_outbox_oldest_pending_age_seconds",
                "Age of the oldest pending handoff (0 when none waits).",
            ),
            ("smarketing_outbox_dead_letters", "Dead letters in the outbox (not replayed)."),
            ("smarketing_rescore_queue_depth", "Leads waiting for the worker to rescore them."),
            (
                "smarketing_feedback_needs_reason",
                "CRM verdicts parked as needs reason, waiting for a person to give the reason.",
            ),
        )
        for (name, text), value in zip(gauges, values or (None,) * len(gauges), strict=True):
            family = GaugeMetricFamily(name, text)
            if value is not None:
                family.add_metric([], value)
            yield family


class _Shared:
    """The process's counters and histograms (the default registry), inside another registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def registry_for(engine: Engine) -> CollectorRegistry:
    """What one process exposes: the shared series and the queue gauges of `engine`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Shared())
    registry.register(QueueGauges(engine))
    return registry


def serve_metrics(engine: Engine, port: int | None, host: str = "127.0.0.1") -> Callable[[], None]:
    """Serve `registry_for(engine)` at http://host:port/metrics on a thread; returns its stop.

    No port: nothing is served and the stop does nothing.
    """
    if port is None:
        return lambda: None
    try:
        server, thread = start_http_server(port, addr=host, registry=registry_for(engine))
    except OSError as exc:
        raise ConfigError(f"--metrics-port {port} on {host}: {exc.strerror or exc}") from None

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
