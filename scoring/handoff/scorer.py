"""The rulebook as the write paths' Scorer, and the default pipeline built from the project's files.

Features are read through the caller's session, so a lead upserted earlier in the same transaction
is scored with its new data. Only the named leads (and their accounts and touches) are read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from scoring.features import load_competitors
from scoring.handoff.assignment import load_assignment
from scoring.handoff.qualify import Pipeline, ScoreResult
from scoring.handoff.settings import ServiceSettings
from scoring.lifecycle import load_contract
from scoring.reasons import load_reasons
from scoring.rules.explain import Explanation, explain
from scoring.rules.hits import Hits, evaluate_hits
from scoring.rules.loader import load_rulebook
from scoring.rules.spec import Rulebook
from scoring.store.features import read_features

AS_OF_MARGIN = timedelta(seconds=1)
"""Features count what happened strictly before `as_of`; the margin includes this very moment."""


def explanation_lines(explanation: Explanation) -> tuple[dict[str, object], ...]:
    """The explanation as JSON-ready lines, largest contribution first (caps have rule `cap:<group>`)."""
    largest_first = sorted(explanation.lines, key=lambda line: -abs(line.points))
    return tuple(
        {
            "rule": line.rule or f"cap:{line.group}",
            "group": line.group,
            "points": round(line.points, 4),
            "text": line.text,
        }
        for line in largest_first
    )


def score_result(hits: Hits, lead_id: int) -> ScoreResult:
    """One lead's score from the hit matrix, with its explanation lines, as the write paths store it."""
    why = explain(hits, lead_id)
    return ScoreResult(
        contact_id=lead_id,
        score=round(why.total, 4),
        threshold=why.threshold,
        failed_gates=tuple(gate for gate, _ in why.failed_gates),
        explanation=explanation_lines(why),
        rulebook_version=why.version,
        fit=round(why.fit, 4),
        engagement=round(why.engagement, 4),
    )


class RulebookScorer:
    """Score leads with a rulebook (and the competitor list its features use)."""

    def __init__(self, rulebook: Rulebook, competitor_domains: Collection[str] = ()) -> None:
        self.rulebook = rulebook
        self.version = rulebook.version
        self.competitor_domains = frozenset(competitor_domains)

    @classmethod
    def from_files(cls) -> RulebookScorer:
        return cls(load_rulebook(), load_competitors())

    def score(
        self, session: Session, contact_ids: Collection[int], as_of: datetime
    ) -> Sequence[ScoreResult]:
        wanted = set(contact_ids)
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


def default_pipeline(settings: ServiceSettings) -> Pipeline:
    """The pipeline from the project's files: contract, vocabulary, assignment rules, rulebook."""
    vocabulary = load_reasons()
    return Pipeline(
        contract=load_contract(vocabulary=vocabulary),
        vocabulary=vocabulary,
        assignment=load_assignment(settings.assignment),
        scorer=RulebookScorer.from_files(),
        policy=settings.retry_policy(),
        rescore=settings.rescore,
    )
