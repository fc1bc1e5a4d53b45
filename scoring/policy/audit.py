"""The audit log as a table: who proposed, approved, rejected, published or rolled back what, when.

Rows are written with the change they record (scoring.policy.publish, scoring.policy.proposals);
this module only reads them, newest first, flat enough for a CSV.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, select

from scoring.db.audit import AuditEntry

COLUMNS = ("occurred_at", "actor", "role", "action", "subject", "note", "detail")


IDENTITY_KEYS = ("identity",)
"""Details that say who someone is at the identity provider (email, name, subject, issuer)."""


def audit_log(engine: Engine, limit: int | None = None, *, identities: bool = True) -> pd.DataFrame:
    """Audit rows newest first: when, who (and their role when signed in), what, and the details;
    without `identities`, the details leave out the identity-provider claims of who acted (for a
    role that may not see personal fields)."""
    query = select(
        AuditEntry.occurred_at,
        AuditEntry.actor,
        AuditEntry.action,
        AuditEntry.subject,
        AuditEntry.detail,
    ).order_by(AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    records = []
    for occurred_at, actor, action, subject, detail in rows:
        facts = dict(detail or {})
        if not identities:
            facts = {key: value for key, value in facts.items() if key not in IDENTITY_KEYS}
        records.append(
            {
                "occurred_at": occurred_at,
                "actor": actor,
                "role": str(facts.get("role", "")),
                "action": action,
                "subject": subject,
                "note": str(facts.get("note", "")),
                "detail": json.dumps(facts, sort_keys=True, default=str),
            }
        )
    return pd.DataFrame(records, columns=list(COLUMNS))
