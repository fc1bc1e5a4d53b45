"""Tables of published definition versions, publish proposals waiting for a second publisher, and
the audit log of who proposed, approved or changed a contract, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scoring.db.models import Base

POLICY_KINDS = ("rulebook", "lifecycle", "reasons", "model", "shadow")
"""`shadow`: the shadow or canary rulebook running beside the live one (scoring.policy.shadow)."""


class PolicyVersion(Base):
    """A published version of a definition (rulebook, lifecycle contract, reasons list, model).

    Append-only; per kind, the row with the highest id is the one in force (scoring.policy).
    """

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(60))
    parent_version: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime)
    published_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("kind", "version"),
        Index("ix_policy_versions_kind_id", "kind", "id"),
    )


class AuditEntry(Base):
    """Append-only: one row per change to a contract (rulebook publish, ...), with its details."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_occurred_at", "occurred_at"),)


PROPOSAL_STATUSES = ("open", "approved", "rejected")


class PolicyProposal(Base):
    """A publish (or rollback) proposed by one publisher, in force only once another approves it.

    `base_version` is the version in force when it was proposed: an approval after someone else
    published is refused (the diff and the what-if effect shown were against the old version).
    `proposer_iss` and `proposer_sub` name the proposer at their identity provider (issuer and
    subject, which never change, unlike an email): an approval by the same pair is refused.
    """

    __tablename__ = "policy_proposals"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))  # published | rolled_back
    base_version: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    proposer_iss: Mapped[str | None] = mapped_column(String(500))
    proposer_sub: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    published_version: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        CheckConstraint("status IN ('open', 'approved', 'rejected')", name="status_known"),
        Index("ix_policy_proposals_status", "status"),
    )
