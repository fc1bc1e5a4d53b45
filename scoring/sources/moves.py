"""The moves an import asks for, as the frame scoring.lifecycle.batch checks: one per contact row
(from the stored stage to the stated one) and one per dated history row, in each contact's order."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from scoring.db.models import LifecycleEvent
from scoring.sources.frames import won_flags
from scoring.sources.upsert import lookup

NEW_STAGE = "lead"
"""The stage of a new contact whose file gives none."""
_FILE_COLUMN = {"account_id": "account", "original_campaign_id": "campaign"}


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[us]")


def _not_after(moments: pd.Series, bound: pd.Series) -> pd.Series:
    """A contact enters no later than its stated move (a file may give a close before a creation)."""
    return moments.where(moments <= bound, bound)


def aligned(stored: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The stored rows (indexed by external id) of `keys`, in their order; missing ones blank."""
    return stored.reindex(keys.to_numpy()).set_axis(keys.index, axis=0)


def _contact_values(
    contacts: pd.DataFrame | None, stored: pd.DataFrame, columns: list[str]
) -> dict[str, pd.Series]:
    """Each guarded contact column as it will be after the import: the file's value, else stored.

    `stored` is aligned to the rows (see `aligned`)."""
    values = {}
    for column in columns:
        held = stored[column].astype(object)
        given = _FILE_COLUMN.get(column, column)
        if contacts is not None and given in contacts:
            held = contacts[given].astype(object).where(contacts[given].notna(), held)
        values[column] = held.astype(object)
    return values


def contact_moves(
    contacts: pd.DataFrame, held: pd.DataFrame, run_time: datetime, columns: list[str]
) -> pd.DataFrame:
    """One move per contact row; `held` is the stored rows aligned to `contacts`."""
    keys = contacts["external_id"]
    old = held["lifecycle_stage"].astype(object)
    new = old.isna().to_numpy()
    at = _times(contacts["stage_at"]).fillna(pd.Timestamp(run_time))
    created = _times(contacts["created_at"]).fillna(_times(held["created_at"]))
    won = won_flags(contacts)
    moves = pd.DataFrame(
        {
            "row": np.arange(len(contacts)),
            "contact": keys.to_numpy(),
            "from_stage": old.astype(object).to_numpy(),
            "to_stage": contacts["lifecycle_stage"].fillna(old).fillna(NEW_STAGE).to_numpy(),
            "stated": contacts["lifecycle_stage"].notna().to_numpy(),
            "reason_code": contacts["disqualification_reason"].to_numpy(),
            "implied": new | won,
            "won": won,
            "witnessed": ~new,
            "at": at.to_numpy(),
            "entry_at": _not_after(created.fillna(pd.Timestamp(run_time)), at).to_numpy(),
        }
    )
    for column, values in _contact_values(contacts, held, columns).items():
        moves[column] = values.to_numpy()
    return moves


def unrecorded(connection: Connection, history: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """History rows not already stored (same contact, stage and time): a re-import adds nothing."""
    ids = history["contact"].map(stored["id"]) if len(stored) else pd.Series(dtype="Int64")
    wanted = [int(i) for i in ids.dropna().unique()]  # plain ints: drivers bind no numpy scalars
    known = lookup(connection, LifecycleEvent, "contact_id", wanted, "to_stage", "occurred_at")
    known = known.reset_index()
    if not len(known):
        return history
    seen = pd.MultiIndex.from_frame(known.assign(occurred_at=_times(known["occurred_at"])))
    mine = pd.MultiIndex.from_arrays([ids, history["stage"], _times(history["occurred_at"])])
    return history[~mine.isin(seen)]


def history_moves(
    history: pd.DataFrame, offset: int, columns: list[str], stored: pd.DataFrame
) -> pd.DataFrame:
    at = _times(history["occurred_at"]).to_numpy()
    moves = pd.DataFrame(
        {
            "row": offset + np.arange(len(history)),
            "contact": history["contact"].to_numpy(),
            "to_stage": history["stage"].to_numpy(),
            "stated": True,
            "reason_code": history["reason"].to_numpy(),
            "implied": False,
            "witnessed": False,
            "at": at,
            "entry_at": at,
            "_order": history["_where_order"].to_numpy(),
            "_line": history["_where_line"].to_numpy(),
        }
    )
    held = aligned(stored, history["contact"])
    for column, values in _contact_values(None, held, columns).items():
        moves[column] = values.to_numpy()
    return moves


def sequence(
    contact_moves: pd.DataFrame, history_moves: pd.DataFrame, old: pd.Series
) -> pd.DataFrame:
    """Each contact's dated history (oldest first), then the stage its contact row states."""
    dated = contact_moves["contact"].isin(set(history_moves["contact"])).to_numpy()
    # After a dated history no route is implied, except to a won outcome.
    stated = contact_moves.assign(
        implied=np.where(dated, contact_moves.get("won", False), contact_moves["implied"])
    )
    keep = ~dated | stated["stated"].to_numpy()
    last = pd.Timestamp.max.as_unit("us")
    moves = pd.concat([history_moves, stated[keep].assign(at_sort=last)], ignore_index=True)
    moves["at_sort"] = moves["at_sort"].fillna(moves["at"])
    moves = moves.sort_values(["contact", "at_sort", "_order", "_line"], kind="stable")
    first = moves["contact"].ne(moves["contact"].shift()).to_numpy()
    before = moves["to_stage"].shift().to_numpy()
    moves["from_stage"] = np.where(first, moves["contact"].map(old).to_numpy(), before)
    return moves.drop(columns=["at_sort", "_order", "_line"]).reset_index(drop=True)
