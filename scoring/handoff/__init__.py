"""Handoff: payload contract, assignment rules, transactional outbox, worker and CRM adapters.

The HTTP adapters (webhook, HubSpot, Salesforce) need httpx and are imported only when chosen.
"""

from __future__ import annotations

from scoring.handoff.adapters import CrmAdapter, make_adapter
from scoring.handoff.assignment import AssignmentRules, Decision, assign, load_assignment
from scoring.handoff.outbox import Claim, claim, dead_letters, enqueue, replay
from scoring.handoff.payload import HandoffPayload, build_payload
from scoring.handoff.qualify import Pipeline, Rescored, Scorer, ScoreResult, rescore
from scoring.handoff.retry import RetryPolicy
from scoring.handoff.settings import SERVICE_SETTINGS, ServiceSettings
from scoring.handoff.worker import Worker, WorkerStats

__all__ = [
    "SERVICE_SETTINGS",
    "AssignmentRules",
    "Claim",
    "CrmAdapter",
    "Decision",
    "HandoffPayload",
    "Pipeline",
    "Rescored",
    "RetryPolicy",
    "ScoreResult",
    "Scorer",
    "ServiceSettings",
    "Worker",
    "WorkerStats",
    "assign",
    "build_payload",
    "claim",
    "dead_letters",
    "enqueue",
    "load_assignment",
    "make_adapter",
    "replay",
    "rescore",
]
