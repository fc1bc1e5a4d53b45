"""What is in force for a database, and the one way it changes.

policy = in_force(engine)          # rulebook, contract, reasons, model: one consistent read
publish_text(engine, "rulebook", text, Change("ana@example.com", "threshold 60 -> 55"))
rollback(engine, "rulebook", "2026.12.04.1", Change("ana@example.com"))
live = LivePolicy(engine, build)   # a running service: new versions within seconds
proposal = propose(engine, "rulebook", text, alice)   # four-eyes: in force once bob approves it
approve(engine, proposal.id, bob)
start_shadow(engine, text, change, mode="canary", share=0.1)   # scores beside the live rulebook
promote_shadow(engine, change)         # the candidate becomes the rulebook in force; or abort_shadow
"""

from scoring.policy.audit import audit_log
from scoring.policy.candidate import Shadow
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
from scoring.policy.shadow import abort_shadow, promote_shadow, start_shadow

__all__ = [
    "Change",
    "Definition",
    "InForce",
    "LivePolicy",
    "ModelRef",
    "Proposal",
    "Published",
    "Shadow",
    "abort_shadow",
    "approve",
    "audit_log",
    "in_force",
    "next_version",
    "policy_token",
    "promote_shadow",
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
    "start_shadow",
    "tuning_text",
    "version_text",
    "versions",
]
