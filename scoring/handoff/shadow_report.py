"""The live-versus-shadow comparison read from the database: stored scores, sales acceptance so far
and, when one is in force, the learned model's predictions.

    report = shadow_comparison(engine)   # ConfigError when no shadow or canary runs
    report.summary, report.added, report.dropped, report.acceptance
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import Connection, Engine, select, union

from scoring.analytics.shadow import ShadowComparison, by_band, compare
from scoring.db.models import Contact, LifecycleEvent
from scoring.errors import ConfigError
from scoring.policy import InForce, in_force
from scoring.policy.model import model_in_force
from scoring.store.shadow_scores import paired_scores
from scoring.training_data import database_leads

ACCEPTED = ("sal", "sales_qualified", "opportunity", "customer")
"""A lead counts as accepted by sales once it reached one of these stages."""
BANDS = "historical acceptance rate by 10-point score band (each rulebook's own scores)"


def accepted_leads(connection: Connection) -> set[int]:
    """The leads sales accepted at some point (stage now, or a transition into it)."""
    query = union(
        select(Contact.id).where(Contact.lifecycle_stage.in_(ACCEPTED)),
        select(LifecycleEvent.contact_id).where(LifecycleEvent.to_stage.in_(ACCEPTED)),
    )
    return {int(i) for i in connection.scalars(query) if i is not None}


def _by_model(
    engine: Engine, policy: InForce, paired: pd.DataFrame, competitors: Collection[str]
) -> pd.Series:
    model = model_in_force(policy)
    if model is None:
        raise ConfigError("no model is in force")
    leads = database_leads(engine, competitor_domains=competitors)
    chance = pd.Series(model.predict_proba(leads), index=leads["lead_id"].astype(int).to_numpy())
    return paired["lead_id"].astype(int).map(chance)


def acceptance(
    engine: Engine,
    policy: InForce,
    paired: pd.DataFrame,
    accepted: pd.Series,
    competitors: Collection[str] = (),
) -> tuple[pd.Series, pd.Series, str]:
    """Each lead's predicted acceptance as a live MQL and as a shadow MQL, and how it was predicted:
    the model in force when there is one (the same chance under both), else by score band."""
    reason = ""
    if policy.model is not None and not paired.empty:
        try:
            chance = _by_model(engine, policy, paired, competitors)
        except ConfigError as exc:  # a missing, changed or mismatched model file: say so, go on
            reason = f" (the model in force could not be used: {exc})"
        else:
            ref = policy.model
            return chance, chance, f"the model in force ({ref.version}, predicts {ref.target})"
    live = by_band(paired["live_score"], accepted)
    return live, by_band(paired["shadow_score"], accepted), BANDS + reason


def shadow_comparison(
    engine: Engine, *, sample: int = 20, competitor_domains: Collection[str] = ()
) -> ShadowComparison:
    """Live versus the running shadow (or canary) on the stored scores of the leads both scored."""
    policy = in_force(engine)
    if policy.shadow is None:
        raise ConfigError("no shadow or canary rulebook is running: nothing to compare")
    with engine.connect() as connection:
        paired = paired_scores(connection, policy.shadow.version)
        accepted = paired["lead_id"].astype(int).isin(accepted_leads(connection))
    live, shadow, method = acceptance(engine, policy, paired, accepted, competitor_domains)
    return compare(paired, live, shadow, method, sample=sample)
