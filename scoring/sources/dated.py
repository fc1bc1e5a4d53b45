"""Dated lifecycle history from a source: one row per stage a contact entered, with its date.

A record with `history.stage` and `history.occurred_at` is one history row of the contact named by
`history.contact` (otherwise: the record's own contact). The import checks each contact's whole
dated sequence against the contract (scoring.sources.stages) and records one history row per step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import Problem
from scoring.sources.records import Issue, Record

HISTORY_COLUMNS = ("contact", "stage", "occurred_at", "reason")


def _required(record: Record, target: str) -> list[Issue]:
    values = record.values[target]
    missing = values.isna().to_numpy(dtype=bool) & ~record.failed.get(
        target, np.zeros(record.size, dtype=bool)
    )
    return [record.issue(target, int(i), f"{target} is required") for i in np.flatnonzero(missing)]


def history_frame(record: Record) -> tuple[pd.DataFrame | None, list[Issue]]:
    """The record's dated history rows with their locators, and the rows missing a value."""
    values = record.values
    if "history.stage" not in values or "history.occurred_at" not in values:
        return None, []
    contact = "history.contact" if "history.contact" in values else "contact.external_id"
    if contact not in values:
        problem = Problem(record.label, "history rows need history.contact")
        return None, [(record.order, 0, problem)]
    targets = {
        "contact": contact,
        "stage": "history.stage",
        "occurred_at": "history.occurred_at",
        "reason": "history.reason",
    }
    blank = pd.Series([None] * record.size, dtype=object)
    frame = {name: values.get(target, blank) for name, target in targets.items()}
    issues = [
        i for t in (contact, "history.stage", "history.occurred_at") for i in _required(record, t)
    ]
    frame["_where"] = record.row_wheres()
    frame["_where_line"] = pd.Series(record.lines, dtype="int64")
    frame["_where_order"] = pd.Series([record.order] * record.size, dtype="int64")
    for name, target in targets.items():
        origin = record.origins.get(target)
        frame[f"_where_{name}"] = origin.wheres() if origin else frame["_where"]
    rows = pd.DataFrame(frame)
    return rows[rows["stage"].notna().to_numpy(dtype=bool)], issues
