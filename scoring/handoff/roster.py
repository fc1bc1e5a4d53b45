"""The sales roster with its load: who can take MQLs, where, and how many they hold and may still take.

    reps = roster(engine, now=datetime.now())      # one row per rep (`smarketing reps`)

`open_mqls` counts the leads a rep owns that still wait at `mql` (assigned, not yet accepted);
`assigned_this_week` counts assignments since Monday, what the round robin compares with
`weekly_capacity` (scoring.handoff.assignment).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from scoring.db.models import Assignment, Contact, Rep
from scoring.handoff.assignment import week_start

ROSTER_COLUMNS = (
    "rep_id",
    "rep",
    "name",
    "team",
    "office",
    "territory",
    "manager",
    "active",
    "open_mqls",
    "assigned_this_week",
    "weekly_capacity",
)


def roster(
    engine: Engine,
    *,
    now: datetime,
    office: str | None = None,
    team: str | None = None,
    active_only: bool = False,
) -> pd.DataFrame:
    """One row per rep (ordered by office, team, name) with open MQLs and this week's load."""
    open_mqls = (
        select(Contact.owner_rep_id, func.count().label("open_mqls"))
        .where(Contact.lifecycle_stage == "mql", Contact.owner_rep_id.is_not(None))
        .group_by(Contact.owner_rep_id)
        .subquery()
    )
    week = (
        select(Assignment.rep_id, func.count().label("assigned_this_week"))
        .where(Assignment.assigned_at >= week_start(now))
        .group_by(Assignment.rep_id)
        .subquery()
    )
    query = (
        select(
            Rep.id.label("rep_id"),
            func.coalesce(Rep.email, Rep.external_id, Rep.name).label("rep"),
            Rep.name,
            Rep.team,
            Rep.office,
            Rep.territory,
            Rep.manager,
            Rep.active,
            func.coalesce(open_mqls.c.open_mqls, 0).label("open_mqls"),
            func.coalesce(week.c.assigned_this_week, 0).label("assigned_this_week"),
            Rep.weekly_capacity,
        )
        .outerjoin(open_mqls, open_mqls.c.owner_rep_id == Rep.id)
        .outerjoin(week, week.c.rep_id == Rep.id)
        .order_by(Rep.office, Rep.team, Rep.name, Rep.id)
    )
    for column, value in ((Rep.office, office), (Rep.team, team)):
        if value is not None:
            query = query.where(column == value)
    if active_only:
        query = query.where(Rep.active.is_(True))
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
