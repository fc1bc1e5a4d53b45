"""The canonical fields a mapping profile can target, declared once with their kind and limits.

A target is `<entity>.<field>` (`contact.email`, `account.domain`, `outcome.won`, ...) or
`attributes.<name>`: an extra per-source value kept in the contact's JSON `attributes`.
Text limits come from the table definitions so the two never drift apart. A `personal` field names
or reaches a person (a contact's or a rep's name, email, phone, job title): import messages about
its values say "this value" and never quote it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from scoring.db.models import (
    CHANNELS,
    TOUCH_KINDS,
    Account,
    Campaign,
    Contact,
    Opportunity,
    Product,
    Rep,
    Touch,
)
from scoring.features.names import name_problem
from scoring.lifecycle.stages import LIFECYCLE_STAGES

ENTITIES = (
    "account",
    "campaign",
    "contact",
    "touch",
    "outcome",
    "crm",
    "history",
    "opportunity",
    "rep",
    "product",
)
OPPORTUNITY_STATUSES = ("open", "won", "lost")
"""What a source's opportunity stage means; `opportunity.status` maps each stage to one of these."""
# `crm.<name>_id`: the contact's id in that CRM, stored in crm_records so its webhooks find the contact.
CRMS = ("hubspot", "salesforce")
CRM_PREFIX = "crm:"  # the contact frame's column of a CRM's ids: crm:hubspot
ATTRIBUTE_TYPES = ("text", "integer", "number", "boolean", "date", "datetime")
TEMPLATE_KINDS = frozenset({"text", "email", "domain"})
NUMERIC_KINDS = frozenset({"integer", "number", "decimal"})
DATE_KINDS = frozenset({"date", "datetime"})

UNQUOTED = "this value"
"""What an import message says instead of a personal field's value."""

_INT32_MAX = 2**31 - 1
_MONEY_MAX = 10**16  # Numeric(18, 2)


@dataclass(frozen=True)
class Field:
    """One target: its kind decides how raw values are parsed and checked."""

    target: str
    kind: str
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    personal: bool = False  # names or reaches a person: messages never quote its values

    @property
    def entity(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.target.split(".", 1)[1]


def _length(column: Any) -> int:
    return int(column.property.columns[0].type.length)


def _text(target: str, column: Any, kind: str = "text", *, personal: bool = False) -> Field:
    return Field(target, kind, max_length=_length(column), personal=personal)


FIELDS: dict[str, Field] = {
    f.target: f
    for f in (
        _text("account.domain", Account.domain, "domain"),
        _text("account.name", Account.name),
        _text("account.industry", Account.industry),
        Field("account.employees", "integer", minimum=0, maximum=_INT32_MAX),
        Field("account.annual_revenue", "decimal", minimum=0, maximum=_MONEY_MAX),
        Field("account.country", "country"),
        _text("account.region", Account.region),
        Field("account.created_at", "datetime"),
        _text("account.external_id", Account.external_id),
        _text("account.parent", Account.name),
        _text("account.owner", Rep.email, personal=True),
        _text("campaign.code", Campaign.code),
        _text("campaign.name", Campaign.name),
        Field("campaign.channel", "choice", choices=CHANNELS),
        Field("campaign.start_date", "date"),
        Field("campaign.end_date", "date"),
        Field("campaign.cost", "decimal", minimum=0, maximum=_MONEY_MAX),
        _text("contact.external_id", Contact.external_id),
        _text("contact.email", Contact.email, "email", personal=True),
        _text("contact.first_name", Contact.first_name, personal=True),
        _text("contact.last_name", Contact.last_name, personal=True),
        _text("contact.job_title", Contact.job_title, personal=True),
        _text("contact.seniority", Contact.seniority),
        _text("contact.department", Contact.department),
        _text("contact.phone", Contact.phone, personal=True),
        Field("contact.country", "country"),
        _text("contact.lead_source", Contact.lead_source),
        Field("contact.lifecycle_stage", "choice", choices=LIFECYCLE_STAGES),
        Field("contact.do_not_contact", "boolean"),
        Field("contact.created_at", "datetime"),
        Field("contact.attributes", "json"),
        _text("contact.account", Account.domain, "domain"),
        _text("contact.campaign", Campaign.code),
        Field("contact.disqualification_reason", "text", max_length=60),
        _text("touch.external_id", Touch.external_id),
        _text("touch.contact", Contact.external_id),
        _text("touch.campaign", Campaign.code),
        Field("touch.kind", "choice", choices=TOUCH_KINDS),
        Field("touch.occurred_at", "datetime"),
        _text("touch.url", Touch.url),
        _text("touch.asset", Touch.asset),
        _text("history.contact", Contact.external_id),
        Field("history.stage", "choice", choices=LIFECYCLE_STAGES),
        Field("history.occurred_at", "datetime"),
        Field("history.reason", "text", max_length=60),
        Field("outcome.won", "boolean"),
        Field("outcome.closed_at", "datetime"),
        Field("outcome.amount", "decimal", minimum=0, maximum=_MONEY_MAX),
        *(Field(f"crm.{crm}_id", "text", max_length=200) for crm in CRMS),
        _text("opportunity.external_id", Opportunity.external_id),
        _text("opportunity.account", Account.name),
        _text("opportunity.contact", Contact.external_id),
        _text("opportunity.owner", Rep.email, personal=True),
        _text("opportunity.name", Opportunity.name),
        _text("opportunity.stage", Opportunity.stage),
        Field("opportunity.status", "choice", choices=OPPORTUNITY_STATUSES),
        Field("opportunity.created_at", "datetime"),
        Field("opportunity.engaged_at", "datetime"),
        Field("opportunity.closed_at", "datetime"),
        Field("opportunity.amount", "decimal", minimum=0, maximum=_MONEY_MAX),
        Field("opportunity.currency", "currency"),
        _text("opportunity.product", Opportunity.product),
        _text("opportunity.lost_reason", Opportunity.lost_reason),
        _text("rep.external_id", Rep.external_id, personal=True),
        _text("rep.email", Rep.email, "email", personal=True),
        _text("rep.name", Rep.name, personal=True),
        _text("rep.manager", Rep.manager, personal=True),
        _text("rep.team", Rep.team),
        _text("rep.office", Rep.office),
        _text("rep.territory", Rep.territory),
        Field("rep.capacity", "integer", minimum=0, maximum=_INT32_MAX),
        Field("rep.active", "boolean"),
        _text("product.name", Product.name),
        _text("product.series", Product.series),
        Field("product.list_price", "decimal", minimum=0, maximum=_MONEY_MAX),
    )
}

# What each entity needs before a row of it can be written; the key comes first.
REQUIRED: dict[str, tuple[str, ...]] = {
    "campaign": ("campaign.code", "campaign.channel"),
    "contact": ("contact.external_id",),
    "touch": ("touch.external_id", "touch.kind", "touch.occurred_at"),
    "history": ("history.stage", "history.occurred_at"),
    "opportunity": ("opportunity.external_id", "opportunity.status"),
    "product": ("product.name",),
}
# Entities keyed by the first of several targets a row has (the match order, docs/mapping-profiles.md).
KEYS: dict[str, tuple[str, ...]] = {
    "account": ("account.domain", "account.external_id", "account.name"),
    "rep": ("rep.external_id", "rep.email"),
}


def is_attribute(target: str) -> bool:
    return target.startswith("attributes.")


def entity_of(target: str) -> str:
    """The entity a target writes to; attributes, outcomes and CRM ids belong to the contact."""
    head = target.split(".", 1)[0]
    return "contact" if head in ("attributes", "outcome", "crm") else head


def field_for(target: str, type_: str | None = None) -> Field | None:
    """The field behind `target` (attributes take their kind from `type_`), or None if unknown."""
    if is_attribute(target):
        name = target.split(".", 1)[1]
        if name_problem(name) is not None:
            return None
        kind = type_ or "text"
        return Field(target, kind) if kind in ATTRIBUTE_TYPES else None
    return FIELDS.get(target)


def unknown_target_message(target: str) -> str:
    """Why `target` is not a canonical field, with the closest names as a hint."""
    if is_attribute(target):
        problem = name_problem(target.split(".", 1)[1])
        return problem or f"attribute {target!r} has an unknown type"
    close = difflib.get_close_matches(target, list(FIELDS), n=3)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown canonical field {target!r}{hint}; use one of {', '.join(ENTITIES)}.* or attributes.<name>"
