"""The built-in CRM: owner and stage kept in our own tables (`crm_records`, `contacts.owner_rep_id`).

For teams without a CRM, and the reference behaviour every other adapter is compared with:
delivering the same key twice leaves one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from scoring.db.models import Contact, CrmRecord
from scoring.handoff.adapters.base import require
from scoring.handoff.gate import write_gate
from scoring.handoff.payload import HandoffPayload

CRM_NAME = "builtin"
OPEN_STAGE = "open"


class BuiltinAdapter:
    """Write the handoff's owner and an open CRM stage next to the contact."""

    name = CRM_NAME

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def deliver(self, payload: HandoffPayload) -> str | None:
        now = datetime.now(UTC).replace(tzinfo=None)
        contact_id = payload.lead.id
        rep_id = payload.assigned_rep.id
        with write_gate(self.engine), Session(self.engine) as session, session.begin():
            record = session.scalars(
                select(CrmRecord).where(
                    CrmRecord.crm == CRM_NAME, CrmRecord.contact_id == contact_id
                )
            ).first()
            if record is None:
                record = CrmRecord(crm=CRM_NAME, contact_id=contact_id, crm_id=str(contact_id))
                session.add(record)
            if record.idempotency_key != payload.idempotency_key:
                record.owner_rep_id = rep_id
                record.crm_stage = OPEN_STAGE
                record.idempotency_key = payload.idempotency_key
            record.synced_at = now
            session.execute(
                update(Contact).where(Contact.id == contact_id).values(owner_rep_id=rep_id)
            )
        return str(contact_id)

    def close(self) -> None:
        return None


def from_options(options: Mapping[str, Any]) -> BuiltinAdapter:
    (engine,) = require(options, "builtin", "engine")
    return BuiltinAdapter(engine)
