"""The database edge of the reasons vocabulary: upsert it into `disqualification_reasons`."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from scoring.db.models import DisqualificationReason
from scoring.reasons import Vocabulary


def sync_reasons(connection: Connection, vocabulary: Vocabulary) -> None:
    """Upsert the vocabulary into `disqualification_reasons` (codes are never deleted)."""
    model = DisqualificationReason
    existing = set(connection.scalars(select(model.code)))
    for reason in vocabulary.reasons:
        values = {"label": reason.label, "description": reason.description, "active": reason.active}
        if reason.code in existing:
            connection.execute(update(model).where(model.code == reason.code).values(**values))
        else:
            connection.execute(insert(model).values(code=reason.code, **values))
