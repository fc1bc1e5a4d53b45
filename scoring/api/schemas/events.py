"""Input and output schemas of POST /v1/events: batched lead upserts and activity events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoring.api.schemas.fields import (
    Code,
    Country,
    Domain,
    Email,
    Employees,
    Key,
    Moment,
    Money,
    RowId,
    Text40,
    Text60,
    Text100,
    Text200,
    Text300,
    Text500,
)
from scoring.db.models import TOUCH_KINDS

MAX_EVENTS = 500

_STRICT = ConfigDict(extra="forbid")
TouchKind = Literal[TOUCH_KINDS]  # type: ignore[valid-type]
Scalar = Text500 | Annotated[float, Field(allow_inf_nan=False)] | bool | None


class AccountIn(BaseModel):
    """The company of a lead, upserted by domain."""

    model_config = _STRICT

    domain: Domain
    name: Text300 | None = None
    industry: Text100 | None = None
    employees: Employees | None = None
    annual_revenue: Money | None = None
    country: Country | None = None
    region: Annotated[str, Field(max_length=20)] | None = None


class LeadIn(BaseModel):
    """A lead's fields; absent fields are left as they are, `external_id` is the natural key."""

    model_config = _STRICT

    external_id: Key
    email: Email | None = None
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    job_title: Text200 | None = None
    seniority: Text40 | None = None
    department: Text60 | None = None
    phone: Text40 | None = None
    country: Country | None = None
    lead_source: Text60 | None = None
    campaign: Text100 | None = Field(None, description="code of an existing campaign")
    do_not_contact: bool | None = None
    account: AccountIn | None = None
    attributes: dict[Code, Scalar] | None = Field(None, max_length=50)


class LeadRef(BaseModel):
    model_config = _STRICT

    external_id: Key


class ActivityIn(BaseModel):
    model_config = _STRICT

    kind: TouchKind
    url: Text500 | None = None
    asset: Text200 | None = None
    campaign: Text100 | None = Field(None, description="code of an existing campaign")


class LeadUpserted(BaseModel):
    """Create or update a lead (and its account)."""

    model_config = _STRICT

    id: Key = Field(description="the sender's unique event id: a repeated id has no second effect")
    type: Literal["lead.upserted"]
    occurred_at: Moment
    lead: LeadIn


class ActivityRecorded(BaseModel):
    """Something a known lead did: a page view, a download, a webinar, a form..."""

    model_config = _STRICT

    id: Key = Field(description="the sender's unique event id: a repeated id has no second effect")
    type: Literal["activity.recorded"]
    occurred_at: Moment
    lead: LeadRef
    activity: ActivityIn


Event = Annotated[LeadUpserted | ActivityRecorded, Field(discriminator="type")]


class EventBatch(BaseModel):
    """Up to MAX_EVENTS events, processed in order; each item is validated on its own."""

    model_config = _STRICT

    events: list[Event] = Field(min_length=1, max_length=MAX_EVENTS)


class FieldError(BaseModel):
    """One problem and the field it is about (a dotted path like `events.3.lead.email`)."""

    field: str
    message: str


class ItemResult(BaseModel):
    index: int
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    lead_id: RowId | None = None
    errors: list[FieldError] = Field(default_factory=list)


class BatchResult(BaseModel):
    """What happened to every event of a batch, in order."""

    accepted: int
    duplicates: int
    rejected: int
    rescoring: Literal["inline", "queued"] = Field(
        description="inline: the leads were rescored in this request; queued: the worker will"
    )
    rescored: int
    qualified: list[int] = Field(description="ids of leads that became MQL through this batch")
    results: list[ItemResult]
