"""The handoff payload contract: what the CRM receives for one MQL, validated before it is queued.

Every field a CRM adapter needs is required here, so a payload that validates can be delivered by
any adapter; `build_payload` raises IncompleteHandoff listing every missing piece instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.db.models import Account, Campaign, Contact, LeadScore, Rep, Touch
from scoring.errors import IncompleteHandoff, Problem

PAYLOAD_VERSION = "1"
ENGAGEMENT_WINDOW = timedelta(days=90)
ENGAGEMENT_LIMIT = 20

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class LeadPart(BaseModel):
    model_config = _FROZEN

    id: int
    external_id: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    first_name: str | None = None
    last_name: str = Field(min_length=1)
    job_title: str | None = None
    seniority: str | None = None
    department: str | None = None
    phone: str | None = None
    country: str | None = None
    lead_source: str | None = None


class AccountPart(BaseModel):
    model_config = _FROZEN

    id: int
    name: str = Field(min_length=1)
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: float | None = None
    country: str | None = None
    region: str | None = None


class RulePoints(BaseModel):
    """One line of a score's explanation: a rule and the points it gave."""

    model_config = ConfigDict(frozen=True, extra="allow")

    rule: str = Field(min_length=1)
    points: float


class ScorePart(BaseModel):
    model_config = _FROZEN

    score: float
    threshold: float
    fit: float | None = None
    engagement: float | None = None
    rulebook_version: str = Field(min_length=1)
    contract_version: str | None = None
    explanation: list[RulePoints] = Field(min_length=1)


class Touchpoint(BaseModel):
    model_config = _FROZEN

    kind: str
    occurred_at: datetime
    campaign: str | None = None
    url: str | None = None
    asset: str | None = None


class CampaignPart(BaseModel):
    model_config = _FROZEN

    code: str = Field(min_length=1)
    name: str
    channel: str


class RepPart(BaseModel):
    """The assigned rep; an imported roster may know a rep without an e-mail or a team."""

    model_config = _FROZEN

    id: int
    email: str | None = Field(default=None, min_length=1)
    name: str
    team: str | None = None
    rule: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class HandoffPayload(BaseModel):
    """One MQL, complete: who, where they work, why they qualified, what they did, who gets them."""

    model_config = _FROZEN

    version: str = PAYLOAD_VERSION
    idempotency_key: str = Field(min_length=1)
    qualified_at: datetime
    lead: LeadPart
    account: AccountPart
    score: ScorePart
    recent_engagement: list[Touchpoint]
    campaign: CampaignPart
    assigned_rep: RepPart


def _pick(part: type[BaseModel], row: Any) -> dict[str, Any] | None:
    """The columns of ORM `row` that `part` declares (None stays None: a missing part)."""
    if row is None:
        return None
    columns = row.__table__.columns.keys()
    return {name: getattr(row, name) for name in part.model_fields if name in columns}


def _engagement(session: Session, contact_id: int, now: datetime) -> list[dict[str, Any]]:
    query = (
        select(Touch.kind, Touch.occurred_at, Campaign.code, Touch.url, Touch.asset)
        .outerjoin(Campaign, Campaign.id == Touch.campaign_id)
        .where(Touch.contact_id == contact_id, Touch.occurred_at >= now - ENGAGEMENT_WINDOW)
        .order_by(Touch.occurred_at.desc(), Touch.id.desc())
        .limit(ENGAGEMENT_LIMIT)
    )
    keys = ("kind", "occurred_at", "campaign", "url", "asset")
    return [dict(zip(keys, row, strict=True)) for row in session.execute(query)]


def _campaign(session: Session, contact: Contact) -> Campaign | None:
    """The lead's original campaign, else the campaign of its latest attributed touch."""
    if contact.original_campaign_id is not None:
        return session.get(Campaign, contact.original_campaign_id)
    query = (
        select(Campaign)
        .join(Touch, Touch.campaign_id == Campaign.id)
        .where(Touch.contact_id == contact.id)
        .order_by(Touch.occurred_at.desc(), Touch.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _problems(error: ValidationError) -> list[Problem]:
    return [
        Problem(".".join(str(part) for part in item["loc"]), item["msg"])
        for item in error.errors(include_url=False)
    ]


def build_payload(
    session: Session,
    contact: Contact,
    *,
    score: LeadScore,
    rep: Rep,
    rule: str,
    reason: str,
    idempotency_key: str,
    now: datetime,
) -> HandoffPayload:
    """Assemble and validate the payload of an MQL; IncompleteHandoff lists every missing piece."""
    account = session.get(Account, contact.account_id) if contact.account_id else None
    campaign = _campaign(session, contact)
    raw: dict[str, Any] = {
        "idempotency_key": idempotency_key,
        "qualified_at": now,
        "lead": _pick(LeadPart, contact),
        "account": _pick(AccountPart, account),
        "score": _pick(ScorePart, score),
        "recent_engagement": _engagement(session, contact.id, now),
        "campaign": _pick(CampaignPart, campaign),
        "assigned_rep": {**(_pick(RepPart, rep) or {}), "rule": rule, "reason": reason},
    }
    try:
        return HandoffPayload.model_validate(raw)
    except ValidationError as exc:
        raise IncompleteHandoff(_problems(exc), source=f"handoff of contact {contact.id}") from exc
