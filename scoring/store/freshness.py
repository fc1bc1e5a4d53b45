"""A cheap token of what a database holds: it changes when the tables readers show gain rows.

    token = data_token(connection)   # one small query; compare it with the one read before

The highest id of every table the dashboard reads (each an index lookup: microseconds at a million
rows) plus the number of contacts: an import, live events, a stage move, a rescoring (its signals)
or a deleted contact changes it. Published definitions have their own token
(scoring.policy.policy_token). An edit in place that adds no row (a contact's new job title) is not
seen; readers offer a refresh that reads everything again for those.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from scoring.db.models import (
    Account,
    Campaign,
    Contact,
    LifecycleEvent,
    Opportunity,
    Rep,
    Signal,
    Touch,
)

WATCHED = (Contact, LifecycleEvent, Touch, Opportunity, Account, Campaign, Rep, Signal)
"""The tables whose highest id is part of the token, in token order (contacts' count comes last)."""

DataToken = tuple[int | None, ...]


def data_token(connection: Connection) -> DataToken:
    """Highest id of each `WATCHED` table (None when empty), then the number of contacts."""
    newest = [select(func.max(model.id)).scalar_subquery() for model in WATCHED]
    count = select(func.count()).select_from(Contact).scalar_subquery()
    row = connection.execute(select(*newest, count)).one()
    return tuple(None if value is None else int(value) for value in row)
