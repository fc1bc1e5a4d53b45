"""Imported CRM ids (`crm.hubspot_id`, `crm.salesforce_id`) written where a handoff writes them."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from scoring.db.models import CrmRecord
from scoring.sources.fields import CRM_PREFIX


def write_crm_ids(
    connection: Connection, contacts: pd.DataFrame, ids: pd.Series, run_time: datetime
) -> int:
    """Each imported CRM id (`crm.hubspot_id`, ...) becomes the contact's `crm_records` row for that
    CRM, the row a handoff through the adapter writes: webhooks of that CRM then find the contact."""
    written = 0
    for column in [c for c in contacts.columns if str(c).startswith(CRM_PREFIX)]:
        crm = str(column).removeprefix(CRM_PREFIX)
        given = contacts[column].notna().to_numpy()
        contact_ids = [int(i) for i in ids[given].tolist()]
        crm_ids = [str(v) for v in contacts[column][given].tolist()]
        known = set(
            connection.scalars(
                select(CrmRecord.contact_id).where(
                    CrmRecord.crm == crm, CrmRecord.contact_id.in_(contact_ids)
                )
            )
        )
        for contact_id, crm_id in zip(contact_ids, crm_ids, strict=True):
            values = {"crm_id": crm_id, "synced_at": run_time}
            if contact_id in known:
                connection.execute(
                    update(CrmRecord)
                    .where(CrmRecord.crm == crm, CrmRecord.contact_id == contact_id)
                    .values(**values)
                )
            else:
                connection.execute(
                    insert(CrmRecord).values(crm=crm, contact_id=contact_id, **values)
                )
        written += len(contact_ids)
    return written
