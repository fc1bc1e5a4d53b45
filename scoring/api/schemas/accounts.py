"""Output schema of GET /v1/accounts/{account_id}."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AccountView(BaseModel):
    """One account rolled up from its contacts under the rulebook in force (its `accounts:` section)."""

    account_id: int
    account_name: str | None
    segment: str = Field(description="SMB, Mid-market, Enterprise or Unknown, by employees")
    region: str | None = None
    account_score: float = Field(
        description="best contact's score (when the rulebook says so) + points per role engaged"
    )
    best_contact_score: float | None = None
    best_contact_id: int | None = None
    roles_engaged: list[str] = Field(description="buying-group roles played by engaged contacts")
    contacts: int
    engaged_contacts: int = Field(description="contacts touched within the rulebook's window")
    open_opportunities: int
    pipeline_amount: float = Field(description="sum of the open opportunities' amounts")
    last_touch: datetime | None = None
    owner_rep_id: int | None = None
    rulebook_version: str
    as_of: datetime
