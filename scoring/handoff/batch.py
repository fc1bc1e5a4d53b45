"""Score every lead at once, store every score, move the qualifying ones to MQL (`smarketing score`).

Scores come from one hit matrix over all leads (vectorised) and are written for EVERY lead with one
bulk upsert (scoring.store.scores), stamped with the rulebook and contract versions and the as-of
time. Only the leads that qualify AND whose stage the contract lets move to `mql` then go through
the write path (`hand_off`): transition with the versions stamped, rep assignment and outbox row,
all in the same transaction as the scores.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact, LeadScore
from scoring.db.reading import read_frame
from scoring.handoff.qualify import MQL, Pipeline, Rescored, ShadowRun, hand_off
from scoring.rules import Rulebook, evaluate_hits, score
from scoring.rules.hits import Hits
from scoring.rules.points import explanation_json
from scoring.signals import utcnow
from scoring.store.features import read_features
from scoring.store.scores import store_scores
from scoring.store.shadow_scores import store_shadow_scores

EXPLAIN_BLOCK = 100_000
ID_BLOCK = 5_000  # ids per IN list (SQLite allows 32,766 parameters a statement)


@dataclass(frozen=True)
class BatchRun:
    scores: (
        pd.DataFrame
    )  # one row per lead: lead_id, fit, engagement, score, grade, failed_gates, mql
    candidates: int  # leads that qualify and whose stage may move to mql
    rescored: Rescored  # .scored: score rows written (every lead)


def movable(stages: pd.DataFrame, pipeline: Pipeline, lead_ids: Collection[int]) -> list[int]:
    """The leads among `lead_ids` whose current stage has a declared move to `mql`."""
    allowed = {
        s for s in stages["lifecycle_stage"].unique() if pipeline.contract.transition(s, MQL)
    }
    chosen = stages[stages["lifecycle_stage"].isin(allowed) & stages["id"].isin(list(lead_ids))]
    return sorted(int(i) for i in chosen["id"])


def qualified_stages(connection: Connection, qualified: list[int]) -> pd.DataFrame:
    """id and lifecycle_stage of the qualifying leads only (not of every contact)."""
    query = select(Contact.id, Contact.lifecycle_stage)
    parts = [
        read_frame(connection, query.where(Contact.id.in_(qualified[start : start + ID_BLOCK])))
        for start in range(0, len(qualified), ID_BLOCK)
    ]
    return pd.concat(parts) if parts else pd.DataFrame(columns=["id", "lifecycle_stage"])


def preload(session: Session, ids: list[int]) -> list[object]:
    """Load the contacts and stored scores of `ids` into the session with a query per block, so
    each handoff's `session.get` finds them there instead of asking the database one by one.
    Returns them: the session's identity map holds its objects weakly, the caller keeps them."""
    loaded: list[object] = []
    for start in range(0, len(ids), ID_BLOCK):
        block = ids[start : start + ID_BLOCK]
        loaded += session.scalars(select(Contact).where(Contact.id.in_(block))).all()
        loaded += session.scalars(select(LeadScore).where(LeadScore.contact_id.in_(block))).all()
    return loaded


def explanations(hits: Hits) -> list[str]:
    """Every lead's stored explanation (JSON text), a block of leads at a time (bounded memory)."""
    found: list[str] = []
    for start in range(0, len(hits), EXPLAIN_BLOCK):
        found += explanation_json(hits, slice(start, start + EXPLAIN_BLOCK))
    return found


@dataclass(frozen=True)
class Candidate:
    """The shadow's scores of a batch: every lead's (stored apart) and the canary's leads."""

    run: ShadowRun
    scores: pd.DataFrame
    hits: Hits
    canary: list[int]

    def swap(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` (live scores, explanations) with the canary's leads scored by the candidate."""
        if not self.canary:
            return frame
        mine = self.scores.set_index("lead_id").loc[self.canary].reset_index()
        rows = [self.hits.row(i) for i in self.canary]
        mine["explanation"] = [explanation_json(self.hits, slice(r, r + 1))[0] for r in rows]
        kept = frame[~frame["lead_id"].isin(self.canary)]
        swapped = pd.concat([kept, mine[frame.columns]]).set_index("lead_id")
        return swapped.loc[frame["lead_id"]].reset_index()[frame.columns]  # the frame's order


def candidate_scores(pipeline: Pipeline, features: pd.DataFrame) -> Candidate | None:
    """The shadow's scores of every lead of `features` (None when no shadow runs)."""
    if pipeline.shadow is None:
        return None
    hits = evaluate_hits(pipeline.shadow.shadow.rulebook, features)
    frame = score(hits).frame()
    canary = sorted(pipeline.shadow.shadow.canary_ids(frame["lead_id"].astype(int).tolist()))
    return Candidate(pipeline.shadow, frame, hits, canary)


def score_and_qualify(
    engine: Engine,
    pipeline: Pipeline,
    rulebook: Rulebook,
    *,
    as_of: datetime,
    competitor_domains: Collection[str] = (),
    source: str = "cli:score",
) -> BatchRun:
    """Score all leads created before `as_of`, store every score, hand off those that qualify."""
    features = read_features(engine, as_of=as_of, competitor_domains=competitor_domains)
    hits = evaluate_hits(rulebook, features)
    frame = score(hits).frame()
    stored = frame.assign(explanation=explanations(hits))
    candidate = candidate_scores(pipeline, features)
    if candidate is not None:
        frame, stored = candidate.swap(frame), candidate.swap(stored)
    qualified = frame.loc[frame["mql"], "lead_id"].astype(int).tolist()
    now = utcnow()
    done = Rescored()
    with Session(engine) as session, session.begin():
        connection = session.connection()
        for version, part in stored.groupby("rulebook_version", sort=False):
            done.scored += store_scores(
                connection,
                part,
                rulebook_version=str(version),
                contract_version=pipeline.contract.version,
                as_of=as_of,
                now=now,
                source=source,
            )
        if candidate is not None:
            store_shadow_scores(
                connection,
                candidate.scores,
                rulebook_version=candidate.run.shadow.rulebook.version,
                shadow_version=candidate.run.shadow.version,
                canary=candidate.canary,
                as_of=as_of,
                now=now,
            )
        stages = qualified_stages(connection, qualified)
        ids = movable(stages, pipeline, qualified)
        held = preload(session, ids)
        for lead_id in ids:
            contact, row = session.get(Contact, lead_id), session.get(LeadScore, lead_id)
            if contact is not None and row is not None:
                hand_off(session, pipeline, contact, row, as_of, source, done)
        del held
    return BatchRun(frame, len(ids), done)


# One meaning of "MQL" (what `score --out`, `mql-list` and `rules explain` print):
QUALIFIES = "qualifies by score and gates"
MOVED = "moved to MQL"
BLOCKED = "blocked"
BELOW = "below the threshold"
PAST_MQL = frozenset({"sal", "sales_qualified", "opportunity", "customer"})


def qualification_status(
    scores: pd.DataFrame,
    moved: Collection[int],
    blocked: dict[int, str],
    stages: pd.Series | None = None,
) -> pd.Series:
    """Per lead, in the words of `lead_status` (the API) and `mql-list`: moved to MQL (its stage is
    mql), past MQL (stage ...), below the threshold, blocked (why) or qualifies by score and gates.

    `scores` is a `Scores.frame()` (lead_id, score, threshold, failed_gates, mql); `moved` the leads this
    run moved to MQL, `blocked` the qualifying leads the handoff refused, with why (`Rescored.blocked`);
    `stages` each lead's stage after the run (lead id -> stage), when known.
    """
    ids = scores["lead_id"].astype(int)
    gates = scores["failed_gates"].fillna("").astype(str)
    above = scores["score"] >= scores["threshold"]
    status = pd.Series(BELOW, index=scores.index, dtype=object)
    status[above & (gates != "")] = BLOCKED + " by gates: " + gates[above & (gates != "")]
    status[scores["mql"].astype(bool)] = QUALIFIES
    refused = ids.map(blocked)
    status[refused.notna()] = BLOCKED + ": " + refused[refused.notna()].astype(str)
    status[ids.isin(list(moved))] = MOVED
    if stages is not None:
        stage = ids.map(stages)
        status[stage == "mql"] = MOVED
        past = stage.isin(list(PAST_MQL))
        status[past] = "past MQL (stage " + stage[past].astype(str) + ")"
    return status


def current_stages(engine: Engine) -> pd.Series:
    """Every contact's lifecycle stage now (lead id -> stage)."""
    with engine.connect() as connection:
        stages = read_frame(connection, select(Contact.id, Contact.lifecycle_stage))
    return stages.set_index("id")["lifecycle_stage"]


def with_status(run: BatchRun, stages: pd.Series | None = None) -> pd.DataFrame:
    """The run's scores with `qualifies` (score and gates) and `status` in place of the bare `mql` flag.

    `stages`: each lead's stage after the run (lead id -> stage), so a lead already at or past MQL
    says so as the API's lead lookup and `mql-list` do."""
    frame = run.scores.copy()
    frame["status"] = qualification_status(
        frame, run.rescored.qualified, run.rescored.blocked, stages
    )
    frame.insert(list(frame.columns).index("mql"), "qualifies", frame.pop("mql"))
    return frame


def lead_status(
    stage: str, score: float, threshold: float, failed_gates: Collection[str], blocked: str | None
) -> str:
    """One lead's status in the words `qualification_status` uses (the API's lead lookup).

    `blocked` is why its last handoff was refused (the latest `handoff_blocked` signal), if any.
    """
    if stage == "mql":
        return MOVED
    if stage in PAST_MQL:
        return f"past MQL (stage {stage})"
    if score < threshold:
        return BELOW
    if failed_gates:
        return f"{BLOCKED} by gates: {','.join(failed_gates)}"
    return f"{BLOCKED}: {blocked}" if blocked else QUALIFIES
