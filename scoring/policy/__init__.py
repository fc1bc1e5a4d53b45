"""What is in force for a database, and the one way it changes.

policy = in_force(engine)          # rulebook, contract, reasons, model: one consistent read
publish_text(engine, "rulebook", text, Change("ana@example.com", "threshold 60 -> 55"))
rollback(engine, "rulebook", "2026.12.04.1", Change("ana@example.com"))
live = LivePolicy(engine, build)   # a running service: new versions within seconds
proposal = propose(engine, "rulebook", text, alice)   # four-eyes: in force once bob approves it
approve(engine, proposal.id, bob)
"""

from scoring.policy.audit import audit_log
from scoring.policy.live import LivePolicy
from scoring.policy.proposals import (
    Proposal,
    approve,
    proposal,
    proposals,
    propose,
    propose_rollback,
    publish_as,
    reject,
)
from scoring.policy.publish import (
    Change,
    next_version,
    publish,
    publish_text,
    rollback,
    tuning_text,
    version_text,
    versions,
)
from scoring.policy.resolve import (
    Definition,
    InForce,
    ModelRef,
    Published,
    in_force,
    policy_token,
    published_rulebook,
)

__all__ = [
    "Change",
    "Definition",
    "InForce",
    "LivePolicy",
    "ModelRef",
    "Proposal",
    "Published",
    "approve",
    "audit_log",
    "in_force",
    "next_version",
    "policy_token",
    "proposal",
    "proposals",
    "propose",
    "propose_rollback",
    "publish",
    "publish_as",
    "publish_text",
    "published_rulebook",
    "reject",
    "rollback",
    "tuning_text",
    "version_text",
    "versions",
]
