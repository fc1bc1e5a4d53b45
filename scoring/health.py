"""What revenue objectives are judged on, read from a database (the edge of scoring.objectives).

    history = health_history(engine)   # lifecycle moves, handoffs, and every lead at its decision time

The leads come from the analytics layer's training frame (features at each lead's decision time,
scoring.training_data.database_leads: what the dashboard's pages read), scored by the rulebook in
force; the model in force (if any) adds its probabilities. The score-drift baseline is the publish
time of the rulebook in force, read from its published version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from scoring.db.audit import PolicyVersion
from scoring.db.models import Contact
from scoring.features.quality import load_competitors
from scoring.learn.methods import RULE_FEATURES
from scoring.learn.targets import target_named
from scoring.objectives.leads import LeadHistory, lead_history
from scoring.objectives.measures import History
from scoring.policy import InForce, in_force
from scoring.policy.model import model_in_force
from scoring.rules import Hits, evaluate_hits, score
from scoring.store.history import objective_history
from scoring.training_data import database_leads


def rulebook_published_at(engine: Engine, policy: InForce) -> np.datetime64 | None:
    """When the rulebook in force was published; None for the shipped file (never published)."""
    row_id = policy.definitions["rulebook"].row_id
    if row_id is None:
        return None
    query = select(PolicyVersion.published_at).where(PolicyVersion.id == row_id)
    with engine.connect() as connection:
        published = connection.execute(query).scalar_one_or_none()
    return None if published is None else np.datetime64(pd.Timestamp(published).value, "ns")


def judged_leads(
    frame: pd.DataFrame, hits: Hits, policy: InForce, baseline_at: np.datetime64 | None
) -> LeadHistory:
    """The LeadHistory of a training frame and its hit matrix under the rulebook in force, with the
    model in force's probabilities when one is published."""
    model = model_in_force(policy)
    if model is None or policy.model is None:
        return lead_history(frame, hits, baseline_at=baseline_at)
    target = target_named(policy.model.target or "won")
    scores = score(hits)  # a model may read the rulebook's points (learn.methods.RULE_FEATURES)
    points = pd.DataFrame(
        dict(zip(RULE_FEATURES, (scores.fit, scores.engagement, scores.total), strict=True)),
        index=frame.index,
    )
    inputs = pd.concat(
        [frame.drop(columns=[c for c in RULE_FEATURES if c in frame]), points], axis=1
    )
    return lead_history(
        frame,
        hits,
        baseline_at=baseline_at,
        probability=model.predict_proba(inputs),
        target=(target.event_column, target.horizon_days),
        model=policy.model.version,
    )


def health_history(engine: Engine) -> History:
    """Everything `smarketing objectives check` judges (an empty database has no leads to judge)."""
    history = objective_history(engine)
    with engine.connect() as connection:
        if connection.execute(select(Contact.id).limit(1)).first() is None:
            return history
    frame = database_leads(engine, competitor_domains=load_competitors())
    policy = in_force(engine)
    hits = evaluate_hits(policy.rulebook, frame)
    leads = judged_leads(frame, hits, policy, rulebook_published_at(engine, policy))
    return History(history.events, history.campaigns, history.handoffs, leads)
