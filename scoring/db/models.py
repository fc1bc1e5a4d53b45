"""The canonical revenue data model: SQLAlchemy 2.0 typed ORM tables.

Times are naive UTC. Natural keys (what an import upserts by) are unique: reps.external_id and
reps.email, accounts.domain and accounts.external_id, campaigns.code, contacts.external_id and
contacts.email, touches.external_id, opportunities.external_id, products.name,
disqualification_reasons.code. Accounts known only by name (an export without domains) are matched
by name (docs/mapping-profiles.md, "Accounts without a domain").
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
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoring.lifecycle.stages import LIFECYCLE_STAGES

# Deterministic constraint names so Alembic migrations are identical on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
    """A sales rep who can own accounts and receive MQLs; imported rosters key reps by external id."""

    __tablename__ = "reps"

    id: Mapped[int] = _id()
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, index=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    manager: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100), index=True)
    territory: Mapped[str | None] = mapped_column(String(100))
    weekly_capacity: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("weekly_capacity >= 0", name="capacity_non_negative"),)


class Account(Base):
    """A company: keyed by domain, else by an external id, else known by its name."""

    __tablename__ = "accounts"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(300), index=True)
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, index=True)
    parent_account_id: Mapped[int | None] = _fk("accounts.id")
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
    """A deal of an account (and, when known, of a contact). Won or lost once closed."""

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
    engaged_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    product: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (
        CheckConstraint("NOT is_won OR is_closed", name="won_is_closed"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
    )


class OpportunityStageChange(Base):
    """Append-only: one row each time an import creates an opportunity or changes its stage."""

    __tablename__ = "opportunity_stage_changes"

    id: Mapped[int] = _id()
    opportunity_id: Mapped[int] = _fk("opportunities.id", nullable=False, index=False)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        Index(
            "ix_opportunity_stage_changes_opportunity_id_occurred_at",
            "opportunity_id",
            "occurred_at",
        ),
    )


class Product(Base):
    """What opportunities sell, as a price list names it (opportunities keep the product's text)."""

    __tablename__ = "products"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    series: Mapped[str | None] = mapped_column(String(100))
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))

    __table_args__ = (
        CheckConstraint("list_price IS NULL OR list_price >= 0", name="list_price_non_negative"),
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
    contract_version: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        CheckConstraint(_in("to_stage", LIFECYCLE_STAGES), name="to_stage"),
        CheckConstraint(
            "to_stage <> 'disqualified' OR reason_code IS NOT NULL", name="disqualified_has_reason"
        ),
        Index("ix_lifecycle_events_contact_id_occurred_at", "contact_id", "occurred_at"),
    )


# --- Inbound events, handoff outbox, assignments and the signals log (docs/decisions/0006) ---

HANDOFF_STATUSES = ("pending", "delivered", "dead")
OUTBOX_TOPICS = ("handoff", "alert")
"""What an outbox row carries: an MQL handoff to the CRM, or an objective alert to the alert webhook."""
ATTEMPT_OUTCOMES = ("started", "delivered", "retry", "dead")


class LeadScore(Base):
    """The latest score of a contact, with its explanation and the rulebook version that made it."""

    __tablename__ = "lead_scores"

    contact_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("contacts.id"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Double)
    fit: Mapped[float | None] = mapped_column(Double)
    engagement: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float] = mapped_column(Double)
    failed_gates: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Points per rule that hit (and group cap adjustments): [{"rule", "group", "points"}]."""
    rulebook_version: Mapped[str] = mapped_column(String(60))
    contract_version: Mapped[str | None] = mapped_column(String(60))
    scored_at: Mapped[datetime] = mapped_column(DateTime)
    as_of: Mapped[datetime | None] = mapped_column(DateTime)
    """The decision time the features were computed as of (only what happened before it counts)."""


class InboundEvent(Base):
    """One answered inbound event (accepted, applied, or for CRM events also refused, rejected,
    ignored or parked), unique by (source, event id): a replay has no second effect."""

    __tablename__ = "inbound_events"

    id: Mapped[int] = _id()
    source: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    contact_id: Mapped[int | None] = _fk("contacts.id", index=False)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("source", "event_id"),)


class RequestNonce(Base):
    """Digest of a signed request's nonce, kept for the timestamp window: a replay is a duplicate.

    The rows of a source in the last minute are also its request count for the rate limit.
    """

    __tablename__ = "request_nonces"
    __table_args__ = (Index("ix_request_nonces_source_received_at", "source", "received_at"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ApiSource(Base):
    """A sender allowed to call the API: its scopes, rate limit, and whether it was revoked."""

    __tablename__ = "api_sources"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    scopes: Mapped[str] = mapped_column(String(200))
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiSecret(Base):
    """One signing secret of a source, stored as the salt it is derived from (never the secret).

    The secret is HMAC-SHA256(server key, source + salt): without the key (SMARKETING_SECRET_KEY or its
    file) the table reveals nothing. At most two are active per source, for rotation.
    """

    __tablename__ = "api_secrets"

    id: Mapped[int] = _id()
    source: Mapped[str] = mapped_column(String(60), ForeignKey("api_sources.name"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Assignment(Base):
    """Who received an MQL and why (account owner, territory rule, round robin)."""

    __tablename__ = "assignments"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", nullable=False)
    rep_id: Mapped[int] = _fk("reps.id", nullable=False, index=False)
    team: Mapped[str | None] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_assignments_rep_id_assigned_at", "rep_id", "assigned_at"),)


class HandoffOutbox(Base):
    """One message waiting for, or done with, delivery (transactional outbox).

    `topic` "handoff": an MQL handoff to the CRM (`contact_id` set); "alert": an objective's breach
    or recovery for the alert webhook (no contact).
    """

    __tablename__ = "handoff_outbox"

    id: Mapped[int] = _id()
    contact_id: Mapped[int | None] = _fk("contacts.id")
    topic: Mapped[str] = mapped_column(String(20), default="handoff", server_default="handoff")
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    dead_after: Mapped[datetime] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    crm_id: Mapped[str | None] = mapped_column(String(200))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in("status", HANDOFF_STATUSES), name="status"),
        CheckConstraint(_in("topic", OUTBOX_TOPICS), name="topic"),
        CheckConstraint("topic <> 'handoff' OR contact_id IS NOT NULL", name="handoff_has_contact"),
        Index("ix_handoff_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )


class HandoffAttempt(Base):
    """One delivery attempt of an outbox row; `started` rows whose worker died stay as evidence."""

    __tablename__ = "handoff_attempts"

    id: Mapped[int] = _id()
    outbox_id: Mapped[int] = _fk("handoff_outbox.id", nullable=False)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    adapter: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="started")
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    retry_after_s: Mapped[float | None] = mapped_column(Numeric(12, 3, asdecimal=False))

    __table_args__ = (CheckConstraint(_in("outcome", ATTEMPT_OUTCOMES), name="outcome"),)


class CrmRecord(Base):
    """Where a contact lives in a CRM: its id there, owner and stage (the built-in CRM keeps only this)."""

    __tablename__ = "crm_records"

    id: Mapped[int] = _id()
    crm: Mapped[str] = mapped_column(String(60))
    contact_id: Mapped[int] = _fk("contacts.id", nullable=False, index=False)
    crm_id: Mapped[str] = mapped_column(String(200))
    owner_rep_id: Mapped[int | None] = _fk("reps.id", index=False)
    crm_stage: Mapped[str | None] = mapped_column(String(60))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    synced_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("crm", "contact_id"),
        UniqueConstraint("crm", "crm_id"),
    )


class Signal(Base):
    """Append-only log of everything that happened to leads, exported to the warehouse as Parquet."""

    __tablename__ = "signals"

    id: Mapped[int] = _id()
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(60))
    contact_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RescoreRequest(Base):
    """A lead waiting to be rescored (queue mode): the worker scores waiting leads in batches."""

    __tablename__ = "rescore_queue"

    contact_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("contacts.id"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    source: Mapped[str] = mapped_column(String(60))


class ObjectiveState(Base):
    """The last alerted state of one revenue objective: an alert goes out only when it changes."""

    __tablename__ = "objective_states"

    objective: Mapped[str] = mapped_column(String(200), primary_key=True)
    breached: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    alert_key: Mapped[str | None] = mapped_column(String(200))


class ParkedFeedback(Base):
    """A CRM verdict that needs a reason it did not carry (e.g. HubSpot's UNQUALIFIED lead status):
    the lead has not moved; it waits until a person gives the reason (then `applied` or `refused`)."""

    __tablename__ = "parked_feedback"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        CheckConstraint("status IN ('waiting', 'applied', 'refused')", name="status"),
    )

    id: Mapped[int] = _id()
    source: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int] = _fk("contacts.id", nullable=False)
    stage: Mapped[str] = mapped_column(String(40))
    cause: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    reason_code: Mapped[str | None] = mapped_column(String(60))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    detail: Mapped[str] = mapped_column(String(500), default="")


TABLES = tuple(Base.metadata.sorted_tables)
