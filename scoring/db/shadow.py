"""The shadow scores table: what a candidate rulebook scored each lead, kept apart from lead_scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Double, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scoring.db.models import Base


class ShadowScore(Base):
    """The latest score of a contact under the shadow (or canary) rulebook; never handed off.

    `shadow_version` is the shadow publish that produced it (a policy version of kind `shadow`):
    rows of an earlier shadow are left behind and ignored by the comparison. `canary` marks a lead
    that the canary scored and handed off under the candidate (its lead_scores row is the candidate's
    too, so it is left out of the live-versus-shadow comparison).
    """

    __tablename__ = "shadow_scores"

    contact_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("contacts.id"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Double)
    fit: Mapped[float | None] = mapped_column(Double)
    engagement: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float] = mapped_column(Double)
    failed_gates: Mapped[list[str]] = mapped_column(JSON, default=list)
    rulebook_version: Mapped[str] = mapped_column(String(60))
    shadow_version: Mapped[str] = mapped_column(String(60), index=True)
    canary: Mapped[bool] = mapped_column(Boolean, default=False)
    scored_at: Mapped[datetime] = mapped_column(DateTime)
    as_of: Mapped[datetime | None] = mapped_column(DateTime)
