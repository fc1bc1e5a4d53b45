"""The canonical revenue data model: SQLAlchemy 2.0 typed ORM tables.

Times are naive UTC. Natural keys (what an import upserts by) are unique: reps.email, accounts.domain,
campaigns.code, contacts.external_id and contacts.email, touches.external_id, opportunities.external_id,
disqualification_reasons.code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names so Alembic migrations are identical on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sales_qualified",
    "opportunity",
    "customer",
    "disqualified",
    "nurture",
)

TOUCH_KINDS = (
    "page_view",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "email_open",
    "email_click",
    "form_submit",
    "demo_request",
    "event_attended",
    "meeting_booked",
    "call",
    "unsubscribe",
)

CHANNELS = (
    "paid_search",
    "paid_social",
    "webinar",
    "content_syndication",
    "events",
    "organic",
    "referral",
    "outbound",
    "email",
    "partner",
    "direct",
    "other",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _id() -> Mapped[int]:
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


def _fk(target: str, *, nullable: bool = True, index: bool = True) -> Mapped[Any]:
    return mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey(target),
        nullable=nullable,
        index=index,
    )


class Rep(Base):
    """A sales rep who can own accounts and receive MQLs."""

    __tablename__ = "reps"

    id: Mapped[int] = _id()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(100))
    territory: Mapped[str] = mapped_column(String(100))
    weekly_capacity: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("weekly_capacity >= 0", name="capacity_non_negative"),)


class Account(Base):
    """A company."""

    __tablename__ = "accounts"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(20))
    owner_rep_id: Mapped[int | None] = _fk("reps.id")
    created_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("employees IS NULL OR employees >= 0", name="employees"),)


class Campaign(Base):
    """A marketing campaign; every touch and lead can be attributed to one."""

    __tablename__ = "campaigns"

    id: Mapped[int] = _id()
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))

    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_non_negative"),
    )


class Contact(Base):
    """A person at (usually) an account: a lead while marketing works it."""

    __tablename__ = "contacts"

    id: Mapped[int] = _id()
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    job_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    lead_source: Mapped[str | None] = mapped_column(String(60))
    account_id: Mapped[int | None] = _fk("accounts.id")
    original_campaign_id: Mapped[int | None] = _fk("campaigns.id")
    lifecycle_stage: Mapped[str] = mapped_column(String(40), default="lead", index=True)
    owner_rep_id: Mapped[int | None] = _fk("reps.id")
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint(_in("lifecycle_stage", LIFECYCLE_STAGES), name="stage"),)


class Touch(Base):
    """One activity of a contact: a page view, a download, a webinar, an email click..."""

    __tablename__ = "touches"

    id: Mapped[int] = _id()
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    contact_id: Mapped[int] = _fk("contacts.id", nullable=False, index=False)
    campaign_id: Mapped[int | None] = _fk("campaigns.id", index=False)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    url: Mapped[str | None] = mapped_column(String(500))
    asset: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(_in("kind", TOUCH_KINDS), name="kind"),
        Index("ix_touches_contact_id_occurred_at", "contact_id", "occurred_at"),
        Index("ix_touches_campaign_id", "campaign_id"),
    )


class Opportunity(Base):
    """A deal. Won or lost once closed."""

    __tablename__ = "opportunities"

    id: Mapped[int] = _id()
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    account_id: Mapped[int | None] = _fk("accounts.id")
    primary_contact_id: Mapped[int | None] = _fk("contacts.id")
    owner_rep_id: Mapped[int | None] = _fk("reps.id")
    name: Mapped[str | None] = mapped_column(String(300))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    stage: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    lost_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("NOT is_won OR is_closed", name="won_is_closed"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
    )


class DisqualificationReason(Base):
    """The controlled vocabulary a disqualification must cite."""

    __tablename__ = "disqualification_reasons"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LifecycleEvent(Base):
    """Append-only history: one row per applied stage change."""

    __tablename__ = "lifecycle_events"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", nullable=False, index=False)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    reason_code: Mapped[str | None] = mapped_column(
        String(60), ForeignKey("disqualification_reasons.code"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    rulebook_version: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        CheckConstraint(_in("to_stage", LIFECYCLE_STAGES), name="to_stage"),
        CheckConstraint(
            "to_stage <> 'disqualified' OR reason_code IS NOT NULL", name="disqualified_has_reason"
        ),
        Index("ix_lifecycle_events_contact_id_occurred_at", "contact_id", "occurred_at"),
    )


TABLES = tuple(Base.metadata.sorted_tables)
