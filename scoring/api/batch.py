"""One batch of inbound events while it is applied: what it locked and looked up, what it writes.

Lookups are done once per batch (leads, accounts, emails, campaigns), touches are inserted with
one statement at the end, so a batch costs a handful of statements whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from scoring.api.schemas.events import AccountIn, ActivityRecorded, FieldError, LeadIn, LeadUpserted
from scoring.db.models import Account, Campaign, Contact, Touch
from scoring.signals import SignalRow

TOUCHES = cast(Table, Touch.__table__)
LEAD_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "department",
    "phone",
    "country",
    "lead_source",
    "do_not_contact",
)
ACCOUNT_FIELDS = ("name", "industry", "employees", "annual_revenue", "country", "region")


class Rejected(Exception):
    """An event that cannot be applied, with the field at fault (raised before any write).

    `reason` is one of the fixed rejection reasons of scoring.metrics (a label, never data).
    """

    def __init__(self, field: str, message: str, reason: str) -> None:
        self.error = FieldError(field=field, message=message)
        self.reason = reason
        super().__init__(message)


@dataclass
class Batch:
    """The state of one batch of events while it is applied."""

    session: Session
    source: str
    now: datetime
    affected: set[int] = field(default_factory=set)
    signals: list[SignalRow] = field(default_factory=list)
    touches: list[dict[str, object]] = field(default_factory=list)
    campaigns: dict[str, int | None] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    def load(self, events: Sequence[LeadUpserted | ActivityRecorded]) -> None:
        """Lock the batch's existing leads, then its accounts, each in id order, and keep them.

        Every write path takes contacts first and in id order, so concurrent batches wait for each
        other instead of deadlocking (PostgreSQL; SQLite has one writer anyway). The owners of the
        emails the batch sets are looked up once.
        """
        leads = [event.lead for event in events if isinstance(event, LeadUpserted)]
        externals = {event.lead.external_id for event in events}
        domains = {lead.account.domain for lead in leads if lead.account is not None}
        emails = {lead.email for lead in leads if lead.email is not None}
        contacts = select(Contact).where(Contact.external_id.in_(externals)).order_by(Contact.id)
        for contact in self.session.scalars(contacts.with_for_update(key_share=True)):
            self.contacts[contact.external_id] = contact
        if domains:
            accounts = select(Account).where(Account.domain.in_(domains)).order_by(Account.id)
            for account in self.session.scalars(accounts.with_for_update(key_share=True)):
                self.accounts[str(account.domain)] = account
        if emails:
            owners = select(Contact.email, Contact.external_id).where(Contact.email.in_(emails))
            self.emails = {str(email): ext for email, ext in self.session.execute(owners)}

    def campaign_id(self, code: str | None, where: str) -> int | None:
        if code is None:
            return None
        if code not in self.campaigns:
            query = select(Campaign.id).where(Campaign.code == code)
            self.campaigns[code] = self.session.scalar(query)
        found = self.campaigns[code]
        if found is None:
            raise Rejected(where, f"unknown campaign code {code!r}", "unknown_campaign")
        return found

    def write_touches(self) -> None:
        if self.touches:
            self.session.execute(insert(TOUCHES), self.touches)


def _account(batch: Batch, data: AccountIn) -> Account:
    account = batch.accounts.get(data.domain)
    if account is None:
        account = Account(domain=data.domain, name=data.name or data.domain, created_at=batch.now)
        batch.session.add(account)
        batch.accounts[data.domain] = account
    for name in ACCOUNT_FIELDS:
        value = getattr(data, name)
        if value is not None:
            setattr(account, name, value)
    if account.id is None:
        batch.session.flush()
    return account


def _claim_email(batch: Batch, contact: Contact | None, lead: LeadIn, where: str) -> None:
    if lead.email is None:
        return
    owner = batch.emails.get(lead.email)
    if owner is not None and owner != lead.external_id:
        message = "this email already belongs to another lead"
        raise Rejected(f"{where}.lead.email", message, "email_taken")
    if contact is not None and contact.email and contact.email != lead.email:
        batch.emails.pop(contact.email, None)
    batch.emails[lead.email] = lead.external_id


def upsert_lead(batch: Batch, event: LeadUpserted, where: str) -> int:
    """Create or update the lead of `event` (and its account); returns its contact id."""
    lead = event.lead
    contact = batch.contacts.get(lead.external_id)
    campaign_id = batch.campaign_id(lead.campaign, f"{where}.lead.campaign")
    _claim_email(batch, contact, lead, where)
    account = _account(batch, lead.account) if lead.account else None
    if contact is None:
        stage = "lead" if account else "subscriber"
        contact = Contact(
            external_id=lead.external_id,
            lifecycle_stage=stage,
            created_at=batch.now,
            do_not_contact=False,
        )
        batch.session.add(contact)
        batch.contacts[lead.external_id] = contact
    for name in LEAD_FIELDS:
        value = getattr(lead, name)
        if value is not None:
            setattr(contact, name, value)
    if account is not None:
        contact.account_id = account.id
    if campaign_id is not None and contact.original_campaign_id is None:
        contact.original_campaign_id = campaign_id
    if lead.attributes:
        contact.attributes = {**(contact.attributes or {}), **lead.attributes}
    contact.updated_at = batch.now
    if contact.id is None:
        batch.session.flush()
    return contact.id


def record_activity(batch: Batch, event: ActivityRecorded, where: str) -> int:
    """Queue the touch of `event` for its (existing) lead; returns the contact id."""
    contact = batch.contacts.get(event.lead.external_id)
    if contact is None:
        field = f"{where}.lead.external_id"
        message = "no lead with this external_id (send lead.upserted first)"
        raise Rejected(field, message, "unknown_lead")
    activity = event.activity
    campaign_id = batch.campaign_id(activity.campaign, f"{where}.activity.campaign")
    batch.touches.append(
        {
            "external_id": f"{batch.source}:{event.id}",
            "contact_id": contact.id,
            "campaign_id": campaign_id,
            "kind": activity.kind,
            "occurred_at": event.occurred_at,
            "url": activity.url,
            "asset": activity.asset,
        }
    )
    return contact.id
