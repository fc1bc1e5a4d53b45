"""From a chunk's journeys to rows: lifecycle events (one per stage change) and opportunities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.sources.demo import clock
from scoring.sources.demo.outcomes import Decision, Journey
from scoring.sources.demo.sampling import none_where

MARKETING = "demo:marketing"
RULEBOOK_VERSION = "demo"
# Why deals are lost: the opportunity's free-text reason and the vocabulary code its recycling cites.
LOST: tuple[tuple[str, str], ...] = (
    ("price", "no_budget"),
    ("budget_cut", "no_budget"),
    ("chose_competitor", "no_need"),
    ("missing_features", "no_need"),
    ("no_decision", "unresponsive"),
    ("timing", "bad_timing"),
)
LOST_REASONS = np.array([x[0] for x in LOST], dtype=object)
_LOST_CODES = np.array([x[1] for x in LOST], dtype=object)
_OPEN_STAGES = np.array(["discovery", "proposal", "negotiation"], dtype=object)


@dataclass(frozen=True)
class Events:
    """Lifecycle event columns ordered by contact then time, and each contact's final stage."""

    contact: np.ndarray  # row of the contact in the chunk
    from_stage: np.ndarray
    to_stage: np.ndarray
    occurred_at: np.ndarray
    actor: np.ndarray
    reason_code: np.ndarray
    note: np.ndarray
    final_stage: np.ndarray  # per contact
    last_at: np.ndarray  # per contact


def _decided(d: Decision, success: str, actor: np.ndarray) -> tuple:
    to_stage = np.where(d.ok, success, np.where(d.recycle, "nurture", "disqualified"))
    return d.at >= 0, to_stage.astype(object), d.at, actor, d.reason


def _steps(j: Journey, created: np.ndarray, rep_actor: np.ndarray, lost: np.ndarray) -> list:
    """(happened, from, to, at, actor, reason, note) for each step in funnel order."""
    n = len(created)
    none = np.full(n, None, dtype=object)
    initial = np.where(j.subscriber, "subscriber", "lead").astype(object)
    lost_note = none_where(
        j.won, np.strings.add("opportunity lost: ", LOST_REASONS[lost].astype(str))
    )
    lost_code = none_where(j.won, _LOST_CODES[lost])
    steps: list[tuple[Any, ...]] = [
        (np.ones(n, bool), none, initial, created, MARKETING, none, none),
        (j.lead_at >= 0, "subscriber", "lead", j.lead_at, MARKETING, none, none),
        (j.mql_at >= 0, "lead", "mql", j.mql_at, MARKETING, none, none),
    ]
    for source, decision, success in (
        ("mql", j.review, "sal"),
        ("sal", j.qualify, "sales_qualified"),
        ("sales_qualified", j.opportunity, "opportunity"),
    ):
        happened, to_stage, at, actor, reason = _decided(decision, success, rep_actor)
        steps.append((happened, source, to_stage, at, actor, reason, none))
    close = np.where(j.won, "customer", "nurture").astype(object)
    steps.append(
        (j.close_at >= 0, "opportunity", close, j.close_at, rep_actor, lost_code, lost_note)
    )
    return steps


def lifecycle_events(j: Journey, created: np.ndarray, rep_actor: np.ndarray, lost: np.ndarray):
    """Every stage change of every contact, plus where each contact ended up."""
    n = len(created)
    parts: list[list[np.ndarray]] = [[] for _ in range(8)]  # contact, step, then the 6 columns
    for step, (happened, *columns) in enumerate(_steps(j, created, rep_actor, lost)):
        rows = np.flatnonzero(happened)
        parts[0].append(rows)
        parts[1].append(np.full(len(rows), step))
        for k, column in enumerate(columns, start=2):
            values = np.broadcast_to(np.asarray(column, dtype=object), (n,))
            parts[k].append(values[rows])
    joined = [np.concatenate(p) for p in parts]
    order = np.lexsort((joined[1], joined[0]))
    contact, _, from_stage, to_stage, at, actor, reason, note = (x[order] for x in joined)
    at = at.astype(np.int64)
    last = np.r_[np.flatnonzero(np.diff(contact)), len(contact) - 1]
    return Events(
        contact=contact,
        from_stage=from_stage,
        to_stage=to_stage,
        occurred_at=at,
        actor=actor,
        reason_code=reason,
        note=note,
        final_stage=to_stage[last],
        last_at=at[last],
    )


def opportunities(rng, j: Journey, employees: np.ndarray, lost: np.ndarray) -> dict:
    """Opportunity columns for contacts who reached the opportunity stage (row = contact row)."""
    rows = np.flatnonzero((j.opportunity.at >= 0) & j.opportunity.ok)
    size = np.where(employees[rows] > 0, employees[rows], 150)
    amount = 9_000 * (size / 50) ** 0.42 * rng.lognormal(0.0, 0.35, len(rows))
    closed = j.close_at[rows] >= 0
    won = closed & j.won[rows]
    age_days = (clock.NOW_S - j.opportunity.at[rows]) / clock.DAY
    open_stage = _OPEN_STAGES[np.searchsorted([20, 45], age_days, side="right")]
    stage = np.where(closed, np.where(won, "closed_won", "closed_lost"), open_stage)
    return {
        "contact": rows,
        "amount": np.round(amount, -2),
        "stage": stage.astype(object),
        "created_at": j.opportunity.at[rows],
        "closed_at": np.where(closed, j.close_at[rows], -1),
        "is_closed": closed,
        "is_won": won,
        "lost_reason": none_where(~closed | won, LOST_REASONS[lost[rows]]),
    }


def lost_reasons(rng, n: int) -> np.ndarray:
    """Index into LOST of why each contact's deal would be lost."""
    return rng.integers(0, len(LOST), n)
