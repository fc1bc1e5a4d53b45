"""Group commit for POST /v1/events: concurrent requests share one transaction, each answered alone.

A request hands its verified, parsed batch to the app's `EventGroups` and waits. Whichever waiting
request first gets the write turn takes the batches queued so far (up to GROUP_EVENTS events, all
under what is in force, read once for the group) and applies them in one transaction: the nonces of all of them are
checked with one query and recorded with one statement, the events of each source are applied as
one batch (scoring.api.ingest: one lookup per table, one INSERT per table), and the transaction
commits once. Only then is each request answered, with its own results (its own indexes and
fields): nothing is acknowledged before it is durable. A request alone is its own group and waits
for no one.

A request whose nonce was seen is refused (409 `duplicate`) on its own, the others of its group are
applied. When the group fails for another reason, its requests are applied again one by one, so
one request cannot fail the others. With inline rescoring every request is its own group (its
answer counts the leads it rescored).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from scoring.api.auth import Caller, remember_many
from scoring.api.ingest import apply_events
from scoring.api.schemas.events import ActivityRecorded, BatchResult, ItemResult, LeadUpserted
from scoring.api.transaction import committed
from scoring.errors import DuplicateRequest
from scoring.handoff.qualify import Pipeline, Rescored
from scoring.metrics import count_events
from scoring.signals import utcnow
from scoring.signatures import NONCE_HEADER

GROUP_EVENTS = 1000
"""At most this many events in one group (a single larger request is still one group)."""

Outcome = BatchResult | Exception


@dataclass(eq=False)
class Pending:
    """One request's batch while it waits for its group's commit."""

    caller: Caller
    valid: list[tuple[int, LeadUpserted | ActivityRecorded]]
    rejected: list[ItemResult]
    outcome: Outcome | None = None

    @property
    def size(self) -> int:
        return len(self.valid) + len(self.rejected)


class InForce(Protocol):
    """What is in force for this process (scoring.policy.LivePolicy, or a fixed pipeline)."""

    def current(self) -> Pipeline: ...


def _answer(
    item: Pending, pipeline: Pipeline, results: Sequence[ItemResult], rescored: Rescored
) -> BatchResult:
    everything = sorted([*results, *item.rejected], key=lambda r: r.index)
    count = {
        s: sum(r.status == s for r in everything) for s in ("accepted", "duplicate", "rejected")
    }
    return BatchResult(
        accepted=count["accepted"],
        duplicates=count["duplicate"],
        rejected=count["rejected"],
        rescoring="queued" if pipeline.rescore == "queue" else "inline",
        rescored=rescored.scored,
        qualified=list(rescored.qualified),
        results=everything,
    )


def apply_group(
    session: Session, pipeline: Pipeline, group: Sequence[Pending], tolerance_s: float
) -> list[Outcome]:
    """Apply the batches of `group` in the session's transaction; one outcome per request, in order."""
    now = utcnow()
    fresh = remember_many(session, [item.caller for item in group], tolerance_s)
    outcomes: list[Outcome] = []
    by_source: dict[str, list[Pending]] = {}
    for item, new in zip(group, fresh, strict=True):
        if new:
            count_events(
                session, item.caller.source, [("rejected", "invalid")] * len(item.rejected)
            )
            by_source.setdefault(item.caller.source, []).append(item)
    answers: dict[int, BatchResult] = {}
    for source, items in by_source.items():
        events = [event for item in items for event in item.valid]
        results, rescored = apply_events(session, pipeline, source, events, now)
        start = 0
        for item in items:  # one result per event, in the order given: split them back
            mine = results[start : start + len(item.valid)]
            start += len(item.valid)
            answers[id(item)] = _answer(item, pipeline, mine, rescored)
    for item, new in zip(group, fresh, strict=True):
        if new:
            outcomes.append(answers[id(item)])
        else:
            message = (
                "duplicate: this request (its nonce) was already processed; it had its effect once"
            )
            outcomes.append(DuplicateRequest(message, NONCE_HEADER))
    return outcomes


class EventGroups:
    """The queue of one server process's event requests and its write turn."""

    def __init__(
        self, live: InForce, gate: AbstractContextManager[object], tolerance_s: float
    ) -> None:
        self._live = live
        self._gate = gate
        self._tolerance_s = tolerance_s
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()

    def submit(self, session: Session, item: Pending) -> BatchResult:
        """Queue `item`, apply it (with whatever else waits) or wait for it; its answer or error."""
        with self._queue_lock:
            self._queue.append(item)
        while item.outcome is None:
            with self._turn:
                if item.outcome is None:
                    pipeline = self._live.current()  # read once for the whole group
                    self.run(session, pipeline, self._take(pipeline.rescore == "queue"))
        if isinstance(item.outcome, Exception):
            raise item.outcome
        return item.outcome

    def _take(self, grouped: bool) -> list[Pending]:
        """The oldest waiting request and (`grouped`) those after it that fit its group."""
        with self._queue_lock:
            first = self._queue[0]
            group, size = [first], first.size
            if grouped:
                for item in self._queue[1:]:
                    if size + item.size > GROUP_EVENTS:
                        break
                    group.append(item)
                    size += item.size
            del self._queue[: len(group)]
        return group

    def run(self, session: Session, pipeline: Pipeline, group: list[Pending]) -> None:
        """Apply `group` in one transaction and set each request's outcome (see the module text)."""
        try:
            outcomes = committed(
                session,
                lambda s: apply_group(s, pipeline, group, self._tolerance_s),
                gate=self._gate,
            )
        except Exception as exc:
            if len(group) == 1:
                group[0].outcome = exc
                return
            for item in group:  # one by one: an error is its own request's answer
                self.run(session, pipeline, [item])
            return
        for item, outcome in zip(group, outcomes, strict=True):
            item.outcome = outcome
