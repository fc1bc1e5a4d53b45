"""What a database holds: row counts, date ranges, stage and reason distributions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from scoring.db.models import Base, Contact, LifecycleEvent

# The timestamp that dates each table's rows, where it has one.
DATED = {
    "accounts": "created_at",
    "contacts": "created_at",
    "touches": "occurred_at",
    "opportunities": "created_at",
    "lifecycle_events": "occurred_at",
    "campaigns": "start_date",
}


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int
    first: str | None
    last: str | None


@dataclass(frozen=True)
class Inventory:
    tables: tuple[TableCount, ...]
    stages: tuple[tuple[str, int], ...]
    reasons: tuple[tuple[str, int], ...]

    def count(self, table: str) -> int:
        return next(t.rows for t in self.tables if t.table == table)


def inventory(engine: Engine) -> Inventory:
    """Summarise every canonical table in one short read-only pass."""
    rows: list[TableCount] = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns: list[Any] = [func.count()]
            dated = DATED.get(table.name)
            if dated:
                columns += [func.min(table.c[dated]), func.max(table.c[dated])]
            result = connection.execute(select(*columns).select_from(table)).one()
            first, last = (
                (str(result[1])[:10], str(result[2])[:10]) if dated and result[0] else (None, None)
            )
            rows.append(TableCount(table.name, int(result[0]), first, last))
        stages = connection.execute(
            select(Contact.lifecycle_stage, func.count())
            .group_by(Contact.lifecycle_stage)
            .order_by(func.count().desc())
        ).all()
        reasons = connection.execute(
            select(LifecycleEvent.reason_code, func.count())
            .where(LifecycleEvent.to_stage == "disqualified")
            .group_by(LifecycleEvent.reason_code)
            .order_by(func.count().desc())
        ).all()
    return Inventory(
        tuple(rows),
        tuple((str(s), int(n)) for s, n in stages),
        tuple((str(c), int(n)) for c, n in reasons),
    )
