"""What is in force for a database, and the one way it changes.

policy = in_force(engine)          # rulebook, contract, reasons, model: one consistent read
publish_text(engine, "rulebook", text, Change("ana@example.com", "threshold 60 -> 55"))
rollback(engine, "rulebook", "2026.12.04.1", Change("ana@example.com"))
live = LivePolicy(engine, build)   # a running service: new versions within seconds
"""

from scoring.policy.live import LivePolicy
from scoring.policy.publish import (
    Change,
    next_version,
    publish,
    publish_text,
    rollback,
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
    "Published",
    "in_force",
    "next_version",
    "policy_token",
    "publish",
    "publish_text",
    "published_rulebook",
    "rollback",
    "version_text",
    "versions",
]
