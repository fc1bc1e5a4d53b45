"""Rescore leads and hand off the ones that qualify: MQL transition, assignment and outbox row at once.

`rescore` stores each lead's new score (a `score_changed` signal when it moved) and, for a lead
whose stage may move to `mql` with its score at the threshold and every gate passing, runs
`qualify` inside a savepoint: the contract moves the lead, a rep is assigned, the complete payload
is validated and queued. If any step refuses, the savepoint is rolled back and nothing of it
remains except a `handoff_blocked` signal saying why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pandas as pd
from sqlalchemy.orm import Session

from scoring.db.models import Contact, LeadScore
from scoring.errors import IncompleteHandoff, Problem, TransitionNotAllowed
from scoring.handoff.assignment import AssignmentRules, assign
from scoring.handoff.outbox import enqueue
from scoring.handoff.payload import build_payload
from scoring.handoff.retry import RetryPolicy
from scoring.lifecycle import Contract
from scoring.metrics import count_mql
from scoring.policy import Shadow
from scoring.reasons import Vocabulary
from scoring.signals import SignalRow, record_many
from scoring.store.lifecycle import apply_transition
from scoring.store.shadow_scores import store_shadow_scores

MQL = "mql"


@dataclass(frozen=True)
class ScoreResult:
    """A lead's score as the rulebook computed it, with the points of every rule that hit."""

    contact_id: int
    score: float
    threshold: float
    failed_gates: tuple[str, ...]
    explanation: tuple[dict[str, Any], ...]
    rulebook_version: str
    fit: float | None = None
    engagement: float | None = None

    @property
    def qualifies(self) -> bool:
        return self.score >= self.threshold and not self.failed_gates


class Scorer(Protocol):
    """Scores leads as of a moment (the rulebook, or a stand-in in tests)."""

    version: str

    def score(
        self, session: Session, contact_ids: Collection[int], as_of: datetime
    ) -> Sequence[ScoreResult]: ...


@dataclass(frozen=True)
class ShadowRun:
    """The candidate rulebook running beside the live one and the scorer built from it."""

    shadow: Shadow
    scorer: Scorer


@dataclass(frozen=True)
class Pipeline:
    """Everything a write path needs to rescore and hand off: contract, vocabulary, rules, scorer."""

    contract: Contract
    vocabulary: Vocabulary
    assignment: AssignmentRules
    scorer: Scorer
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rescore: str = "inline"
    """`inline`: write paths rescore in their own transaction; `queue`: they queue the leads and
    the worker rescores them in batches (scoring.handoff.rescoring). The service's setting
    (SMARKETING_RESCORE) defaults to `queue`."""
    shadow: ShadowRun | None = None
    """When set, every lead is scored by the candidate too (stored apart, never handed off), and
    a canary's new leads are stored and handed off under the candidate's score instead."""


@dataclass
class Rescored:
    """What one rescoring pass did."""

    scored: int = 0
    qualified: list[int] = field(default_factory=list)
    blocked: dict[int, str] = field(default_factory=dict)


def store_score(
    session: Session, result: ScoreResult, now: datetime, source: str, contract_version: str
) -> LeadScore:
    """Upsert the lead's score row (scored as of `now`); a changed score goes to the signals log."""
    row = session.get(LeadScore, result.contact_id)
    before = None if row is None else row.score
    values = {
        "score": result.score,
        "fit": result.fit,
        "engagement": result.engagement,
        "threshold": result.threshold,
        "failed_gates": list(result.failed_gates),
        "explanation": list(result.explanation),
        "rulebook_version": result.rulebook_version,
        "contract_version": contract_version,
        "scored_at": now,
        "as_of": now,
    }
    if row is None:
        row = LeadScore(contact_id=result.contact_id, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    if before is None or round(before, 2) != round(result.score, 2):
        data = {
            "before": before,
            "after": result.score,
            "rulebook_version": result.rulebook_version,
        }
        record_many(session, [SignalRow("score_changed", source, result.contact_id, data, now)])
    return row


def qualify(
    session: Session,
    pipeline: Pipeline,
    contact: Contact,
    score: LeadScore,
    now: datetime,
    source: str,
) -> None:
    """Move the lead to MQL, assign a rep and queue the validated payload, all or nothing.

    Raises TransitionNotAllowed or IncompleteHandoff; the caller's savepoint undoes the rest.
    """
    facts = {"score": score.score, "threshold": score.threshold, "failed_gates": score.failed_gates}
    event = apply_transition(
        session,
        contact.id,
        MQL,
        contract=pipeline.contract,
        vocabulary=pipeline.vocabulary,
        actor=f"rulebook:{score.rulebook_version}",
        facts=facts,
        at=now,
        rulebook_version=score.rulebook_version,
    )
    decision = assign(session, pipeline.assignment, contact, now)
    if decision is None:
        problem = Problem("assigned_rep", "no active rep with weekly capacity in the matching team")
        raise IncompleteHandoff([problem], source=f"handoff of contact {contact.id}")
    payload = build_payload(
        session,
        contact,
        score=score,
        rep=decision.rep,
        rule=decision.rule,
        reason=decision.reason,
        idempotency_key=f"mql-{contact.id}-{event.id}",
        now=now,
    )
    enqueue(session, payload, now=now, policy=pipeline.policy)
    transition = {"from": event.from_stage, "to": MQL, "actor": event.actor, "score": score.score}
    assignment = {
        "rep": decision.rep.email,
        "team": decision.team,
        "rule": decision.rule,
        "reason": decision.reason,
    }
    record_many(
        session,
        [
            SignalRow("transition", source, contact.id, transition, now),
            SignalRow("assignment", source, contact.id, assignment, now),
            SignalRow("handoff_queued", source, contact.id, {"key": payload.idempotency_key}, now),
        ],
    )


def hand_off(
    session: Session,
    pipeline: Pipeline,
    contact: Contact,
    row: LeadScore,
    now: datetime,
    source: str,
    done: Rescored,
) -> None:
    """Qualify one lead whose stored score qualifies, in a savepoint; a refusal is logged, not raised."""
    try:
        with session.begin_nested():
            qualify(session, pipeline, contact, row, now, source)
    except (TransitionNotAllowed, IncompleteHandoff) as exc:
        session.refresh(contact)
        done.blocked[contact.id] = str(exc)
        data = {"error": type(exc).__name__, "message": str(exc)[:1000]}
        record_many(session, [SignalRow("handoff_blocked", source, contact.id, data, now)])
    else:
        done.qualified.append(contact.id)
        count_mql(session, row.rulebook_version)  # published when the transaction commits


def apply_scores(
    session: Session,
    pipeline: Pipeline,
    results: Sequence[ScoreResult],
    now: datetime,
    source: str,
    done: Rescored | None = None,
) -> Rescored:
    """Store computed scores and hand off every lead that qualifies, in the session's transaction."""
    done = done or Rescored()
    # Contact id order: the order every write path locks contacts in (no deadlocks).
    for result in sorted(results, key=lambda r: r.contact_id):
        row = store_score(session, result, now, source, pipeline.contract.version)
        done.scored += 1
        contact = session.get(Contact, result.contact_id)
        if contact is None or not result.qualifies:
            continue
        if pipeline.contract.transition(contact.lifecycle_stage, MQL) is None:
            continue
        hand_off(session, pipeline, contact, row, now, source, done)
    return done


def scored(
    session: Session, pipeline: Pipeline, contact_ids: Collection[int], as_of: datetime
) -> tuple[list[ScoreResult], list[ScoreResult], set[int]]:
    """The scores to store and hand off (the candidate's for a canary's leads), the candidate's
    score of every lead (to store apart), and the canary's leads."""
    live = list(pipeline.scorer.score(session, contact_ids, as_of))
    if pipeline.shadow is None:
        return live, [], set()
    candidate = list(pipeline.shadow.scorer.score(session, contact_ids, as_of))
    canary = pipeline.shadow.shadow.canary_ids([r.contact_id for r in candidate])
    swapped = {r.contact_id: r for r in candidate if r.contact_id in canary}
    return [swapped.get(r.contact_id, r) for r in live], candidate, canary


def store_shadow(
    session: Session,
    pipeline: Pipeline,
    candidate: Sequence[ScoreResult],
    canary: Collection[int],
    now: datetime,
) -> None:
    """Store the candidate's scores apart from the live ones (never handed off)."""
    if pipeline.shadow is None or not candidate:
        return
    frame = pd.DataFrame(
        [
            {
                "lead_id": r.contact_id,
                "score": r.score,
                "fit": r.fit,
                "engagement": r.engagement,
                "threshold": r.threshold,
                "failed_gates": list(r.failed_gates),
            }
            for r in candidate
        ]
    )
    store_shadow_scores(
        session.connection(),
        frame,
        rulebook_version=pipeline.shadow.shadow.rulebook.version,
        shadow_version=pipeline.shadow.shadow.version,
        canary=canary,
        as_of=now,
        now=now,
    )


def rescore(
    session: Session, pipeline: Pipeline, contact_ids: Collection[int], now: datetime, source: str
) -> Rescored:
    """Score `contact_ids` as of `now`, store the scores, and hand off every lead that qualifies
    (the shadow's scores of them are stored apart)."""
    if not contact_ids:
        return Rescored()
    results, candidate, canary = scored(session, pipeline, contact_ids, now)
    store_shadow(session, pipeline, candidate, canary, now)
    return apply_scores(session, pipeline, results, now, source)
