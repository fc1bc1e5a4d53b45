"""Rep rows of a record: the sales roster (who sells, in which team and office, with what capacity).

A rep is keyed by `rep.external_id`, else by `rep.email`; opportunities and accounts name their
owner by either. Capacity is the number of MQLs a rep takes per week (assignment's round robin).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import Problem
from scoring.sources.identities import merge_by_identity
from scoring.sources.records import Issue, Record, locate

REP_KEYS = ("external_id", "email")
REP_COLUMNS = {
    "name": "name",
    "manager": "manager",
    "team": "team",
    "office": "office",
    "territory": "territory",
    "capacity": "weekly_capacity",
    "active": "active",
}
"""rep.<target> -> reps column."""


def rep_rows(record: Record) -> tuple[pd.DataFrame | None, list[Issue]]:
    """One rep per row that has a key; a row with rep values but no key is an issue."""
    values = record.values
    keys = [k for k in REP_KEYS if f"rep.{k}" in values]
    if not keys:
        return None, []
    frame: dict[str, pd.Series] = {k: values[f"rep.{k}"] for k in keys}
    for target, column in REP_COLUMNS.items():
        if f"rep.{target}" in values:
            frame[column] = values[f"rep.{target}"]
    locate(frame, record, {k: f"rep.{k}" for k in keys})
    rows = pd.DataFrame(frame)
    keyed = rows[keys].notna().any(axis=1).to_numpy(dtype=bool)
    others = [c for c in rows.columns if c in REP_COLUMNS.values()]
    valued = rows[others].notna().any(axis=1).to_numpy(dtype=bool) if others else keyed
    failed = np.zeros(record.size, dtype=bool)
    for key in keys:
        failed |= record.failed.get(f"rep.{key}", np.zeros(record.size, dtype=bool))
    target = f"rep.{keys[0]}"
    message = f"{target} is required: {' or '.join(f'rep.{k}' for k in REP_KEYS)} names the rep"
    issues = [
        (record.order, int(record.lines[i]), Problem(record.origins[target].where(int(i)), message))
        for i in np.flatnonzero(valued & ~keyed & ~failed)
    ]
    return rows[keyed], issues


def merge_reps(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per rep of the import (see scoring.sources.identities)."""
    return merge_by_identity(frame, [k for k in REP_KEYS if k in frame])
