"""The rulebook as the write paths' Scorer, and the pipeline built from what is in force.

Features are read through the caller's session, so a lead upserted earlier in the same transaction
is scored with its new data. Only the named leads (and their accounts and touches) are read.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.features import load_competitors
from scoring.handoff.assignment import load_assignment
from scoring.handoff.qualify import Pipeline, ScoreResult, ShadowRun
from scoring.handoff.settings import ServiceSettings
from scoring.metrics import SCORING_SECONDS
from scoring.policy import InForce, LivePolicy, in_force
from scoring.rules.explain import explain
from scoring.rules.hits import Hits, evaluate_hits
from scoring.rules.points import explanation_json
from scoring.rules.spec import Rulebook
from scoring.store.features import read_features

AS_OF_MARGIN = timedelta(seconds=1)
"""Features count what happened strictly before `as_of`; the margin includes this very moment."""


def score_result(hits: Hits, lead_id: int) -> ScoreResult:
    """One lead's score from the hit matrix, with its points per rule, as every write path stores it."""
    why = explain(hits, lead_id)
    row = hits.row(lead_id)
    return ScoreResult(
        contact_id=lead_id,
        score=why.total,
        threshold=why.threshold,
        failed_gates=tuple(gate for gate, _ in why.failed_gates),
        explanation=tuple(json.loads(explanation_json(hits, slice(row, row + 1))[0])),
        rulebook_version=why.version,
        fit=why.fit,
        engagement=why.engagement,
    )


class RulebookScorer:
    """Score leads with a rulebook (and the competitor list its features use)."""

    def __init__(self, rulebook: Rulebook, competitor_domains: Collection[str] = ()) -> None:
        self.rulebook = rulebook
        self.version = rulebook.version
        self.competitor_domains = frozenset(competitor_domains)

    def score(
        self, session: Session, contact_ids: Collection[int], as_of: datetime
    ) -> Sequence[ScoreResult]:
        wanted = set(contact_ids)
        with SCORING_SECONDS.time():  # reading the leads' features included
            features = read_features(
                session.connection(),
                as_of=as_of + AS_OF_MARGIN,
                lead_ids=wanted,
                competitor_domains=self.competitor_domains,
            )
            if features.empty:
                return []
            hits = evaluate_hits(self.rulebook, features)
            return [score_result(hits, int(i)) for i in hits.lead_ids if int(i) in wanted]


def shadow_run(policy: InForce, competitor_domains: Collection[str]) -> ShadowRun | None:
    """The candidate rulebook in force beside the live one, as a scorer (None: none runs)."""
    if policy.shadow is None:
        return None
    return ShadowRun(policy.shadow, RulebookScorer(policy.shadow.rulebook, competitor_domains))


def pipeline_for(policy: InForce, settings: ServiceSettings) -> Pipeline:
    """The write paths' pipeline under what is in force: contract, vocabulary, rulebook, shadow."""
    competitors = load_competitors()
    return Pipeline(
        contract=policy.contract,
        vocabulary=policy.vocabulary,
        assignment=load_assignment(settings.assignment),
        scorer=RulebookScorer(policy.rulebook, competitors),
        policy=settings.retry_policy(),
        rescore=settings.rescore,
        shadow=shadow_run(policy, competitors),
    )


def default_pipeline(settings: ServiceSettings, engine: Engine) -> Pipeline:
    """The pipeline under what is in force for `engine`'s database now."""
    return pipeline_for(in_force(engine), settings)


def live_pipeline(settings: ServiceSettings, engine: Engine) -> LivePolicy[Pipeline]:
    """The pipeline of a long-running process: rebuilt within seconds of a publish."""
    assignment, competitors = load_assignment(settings.assignment), load_competitors()

    def build(policy: InForce) -> Pipeline:
        return Pipeline(
            contract=policy.contract,
            vocabulary=policy.vocabulary,
            assignment=assignment,
            scorer=RulebookScorer(policy.rulebook, competitors),
            policy=settings.retry_policy(),
            rescore=settings.rescore,
            shadow=shadow_run(policy, competitors),
        )

    return LivePolicy(engine, build, poll_s=settings.policy_poll_s)
