"""Tables of published rulebook versions and the audit log of who changed a contract, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scoring.db.models import Base


class RulebookVersion(Base):
    """A rulebook as published from the scoring lab (the newest one is the one in force)."""

    __tablename__ = "rulebook_versions"

    version: Mapped[str] = mapped_column(String(60), primary_key=True)
    parent_version: Mapped[str | None] = mapped_column(String(60))
    yaml: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    published_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")


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
