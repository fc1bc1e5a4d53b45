"""Score every lead at once and move the qualifying ones to MQL through the contract (`smarketing score`).

Scores come from one hit matrix over all leads (vectorised); only the leads that qualify AND whose
stage the contract lets move to `mql` go through the write path (`apply_scores`): transition with the
rulebook version stamped, rep assignment and outbox row in one transaction, as on every other path.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.db.models import Contact
from scoring.db.reading import read_frame
from scoring.handoff.qualify import MQL, Pipeline, Rescored, apply_scores
from scoring.handoff.scorer import score_result
from scoring.rules import Rulebook, evaluate_hits, score
from scoring.store.features import read_features


@dataclass(frozen=True)
class BatchRun:
    scores: (
        pd.DataFrame
    )  # one row per lead: lead_id, fit, engagement, score, grade, failed_gates, mql
    candidates: int  # leads that qualify and whose stage may move to mql
    rescored: Rescored


def movable(engine: Engine, pipeline: Pipeline, lead_ids: Collection[int]) -> list[int]:
    """The leads among `lead_ids` whose current stage has a declared move to `mql`."""
    stages = read_frame(engine, select(Contact.id, Contact.lifecycle_stage))
    allowed = {
        s for s in stages["lifecycle_stage"].unique() if pipeline.contract.transition(s, MQL)
    }
    chosen = stages[stages["lifecycle_stage"].isin(allowed) & stages["id"].isin(list(lead_ids))]
    return sorted(int(i) for i in chosen["id"])


def score_and_qualify(
    engine: Engine,
    pipeline: Pipeline,
    rulebook: Rulebook,
    *,
    as_of: datetime,
    competitor_domains: Collection[str] = (),
    source: str = "cli:score",
) -> BatchRun:
    """Score all leads created before `as_of`; hand off those that qualify, in one transaction."""
    features = read_features(engine, as_of=as_of, competitor_domains=competitor_domains)
    hits = evaluate_hits(rulebook, features)
    frame = score(hits).frame()
    qualified = frame.loc[frame["mql"], "lead_id"].astype(int).tolist()
    ids = movable(engine, pipeline, qualified)
    results = [score_result(hits, lead_id) for lead_id in ids]
    with Session(engine) as session, session.begin():
        done = apply_scores(session, pipeline, results, as_of, source)
    return BatchRun(frame, len(ids), done)
