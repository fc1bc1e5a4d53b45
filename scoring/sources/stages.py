"""The lifecycle side of an import: every stage the files set or change, checked against the contract
in one vectorised pass (scoring.lifecycle.batch), and the history rows the accepted moves record.

Rules (docs/lifecycle.md, "Imports"): a new contact enters at an entry stage, or along the
contract's shortest route to the stage the file gives; a stored contact's stage changes only along
a declared transition, or along the shortest route when the row is a won outcome; a dated history
is checked step by step from the stored stage. Any refusal rejects the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from scoring.db.models import Contact, LifecycleEvent
from scoring.errors import Problem
from scoring.lifecycle.batch import check_moves
from scoring.lifecycle.batch_guards import scope_of
from scoring.lifecycle.contract import Contract
from scoring.lifecycle.guards import guard_fields
from scoring.reasons import Vocabulary
from scoring.sources.frames import CanonicalFrames
from scoring.sources.upsert import lookup

NEW_STAGE = "lead"
"""The stage of a new contact whose file gives none."""
CONTACT_COLUMNS = frozenset(Contact.__table__.columns.keys())
_FILE_COLUMN = {"account_id": "account", "original_campaign_id": "campaign"}
_TARGETS = {
    ("contacts", "stage"): ("contact.lifecycle_stage", "_where_lifecycle_stage"),
    ("contacts", "reason"): ("contact.disqualification_reason", "_where_disqualification_reason"),
    ("history", "stage"): ("history.stage", "_where_stage"),
    ("history", "reason"): ("history.reason", "_where_reason"),
}


@dataclass(frozen=True)
class StagePlan:
    """What the import writes for stages: `stage` per contacts-frame row, the history `steps`
    (contact = external id), stage updates of stored contacts named only by the history
    (`moved`: id, stage), the `stored` rows it looked up, and every refusal as a problem."""

    stage: pd.Series
    steps: pd.DataFrame
    moved: pd.DataFrame
    stored: pd.DataFrame
    problems: list[Problem]


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[us]")


def _not_after(moments: pd.Series, bound: pd.Series) -> pd.Series:
    """A contact enters no later than its stated move (a file may give a close before a creation)."""
    return moments.where(moments <= bound, bound)


def guard_columns(contract: Contract) -> list[str]:
    """The contact columns that the contract's guards on contact values read."""
    names = [
        name
        for guard in contract.guards
        if scope_of(contract, guard) == "contact"
        for name in guard_fields(guard)
    ]
    return sorted(set(names) & CONTACT_COLUMNS)


def stored_contacts(connection: Connection, keys: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Stored id, stage, creation time (and `columns`) of the contacts `keys` name, by external id."""
    wanted = ["id", "lifecycle_stage", "created_at", *columns]
    return lookup(connection, Contact, "external_id", keys, *wanted)


def _last_reasons(connection: Connection, ids: list[int]) -> pd.Series:
    """The reason of each contact's latest stored history row (contact id -> code or None)."""
    found: dict[int, str | None] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        latest = (
            select(func.max(LifecycleEvent.id))
            .where(LifecycleEvent.contact_id.in_(chunk))
            .group_by(LifecycleEvent.contact_id)
        )
        query = select(LifecycleEvent.contact_id, LifecycleEvent.reason_code).where(
            LifecycleEvent.id.in_(latest)
        )
        found.update({int(row[0]): row[1] for row in connection.execute(query)})
    return pd.Series(found, dtype=object)


def _needs_last_reason(contract: Contract) -> set[str]:
    return {
        t.source
        for t in contract.transitions
        if any("last_reason_code" in guard_fields(g) for g in t.guards)
    }


def _contact_values(
    keys: pd.Series, contacts: pd.DataFrame | None, stored: pd.DataFrame, columns: list[str]
) -> dict[str, pd.Series]:
    """Each guarded contact column as it will be after the import: the file's value, else stored."""
    values = {}
    for column in columns:
        held = keys.map(stored[column]) if len(stored) else pd.Series(None, index=keys.index)
        given = _FILE_COLUMN.get(column, column)
        if contacts is not None and given in contacts:
            held = contacts[given].astype(object).where(contacts[given].notna(), held)
        values[column] = held.astype(object)
    return values


def _contact_moves(
    contacts: pd.DataFrame, stored: pd.DataFrame, run_time: datetime, columns: list[str]
) -> pd.DataFrame:
    keys = contacts["external_id"]
    has_stored = bool(len(stored))
    old = keys.map(stored["lifecycle_stage"]) if has_stored else pd.Series(None, index=keys.index)
    new = old.isna().to_numpy()
    at = _times(contacts["stage_at"]).fillna(pd.Timestamp(run_time))
    created = _times(contacts["created_at"])
    if has_stored:
        created = created.fillna(_times(keys.map(stored["created_at"])))
    won = contacts["won"].fillna(False).to_numpy(dtype=bool) if "won" in contacts else False
    moves = pd.DataFrame(
        {
            "row": np.arange(len(contacts)),
            "contact": keys.to_numpy(),
            "from_stage": old.astype(object).to_numpy(),
            "to_stage": contacts["lifecycle_stage"].fillna(old).fillna(NEW_STAGE).to_numpy(),
            "stated": contacts["lifecycle_stage"].notna().to_numpy(),
            "reason_code": contacts["disqualification_reason"].to_numpy(),
            "implied": new | won,
            "witnessed": ~new,
            "at": at.to_numpy(),
            "entry_at": _not_after(created.fillna(pd.Timestamp(run_time)), at).to_numpy(),
        }
    )
    for column, values in _contact_values(keys, contacts, stored, columns).items():
        moves[column] = values.to_numpy()
    return moves


def _unrecorded(
    connection: Connection, history: pd.DataFrame, stored: pd.DataFrame
) -> pd.DataFrame:
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


def _history_moves(
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
    for column, values in _contact_values(history["contact"], None, stored, columns).items():
        moves[column] = values.to_numpy()
    return moves


def _sequence(
    contact_moves: pd.DataFrame, history_moves: pd.DataFrame, old: pd.Series
) -> pd.DataFrame:
    """Each contact's dated history (oldest first), then the stage its contact row states."""
    dated = set(history_moves["contact"])
    keep = ~contact_moves["contact"].isin(dated) | contact_moves["stated"]
    last = pd.Timestamp.max.as_unit("us")
    moves = pd.concat(
        [history_moves, contact_moves[keep.to_numpy()].assign(at_sort=last)], ignore_index=True
    )
    moves["at_sort"] = moves["at_sort"].fillna(moves["at"])
    moves = moves.sort_values(["contact", "at_sort", "_order", "_line"], kind="stable")
    first = moves["contact"].ne(moves["contact"].shift()).to_numpy()
    before = moves["to_stage"].shift().to_numpy()
    moves["from_stage"] = np.where(first, moves["contact"].map(old).to_numpy(), before)
    return moves.drop(columns=["at_sort", "_order", "_line"]).reset_index(drop=True)


def _problems(
    violations: pd.DataFrame, contacts: pd.DataFrame, history: pd.DataFrame
) -> list[Problem]:
    """Each refusal at its file:row:column, naming both stages and the rule."""
    problems = []
    size = len(contacts)
    for v in violations.sort_values("row", kind="stable").itertuples(index=False):
        row = int(v.row)  # type: ignore[arg-type]
        frame, at, name = (
            (contacts, row, "contacts") if row < size else (history, row - size, "history")
        )
        target, locator = _TARGETS[(name, str(v.field))]
        column = locator if locator in frame else _TARGETS[(name, "stage")][1]
        where = frame[column].iat[at] if column in frame else frame["_where"].iat[at]
        source = v.from_stage if isinstance(v.from_stage, str) else "(new contact)"
        problems.append(
            Problem(str(where), f"{target}: {source} -> {v.to_stage} refused: {v.rule}")
        )
    return problems


def plan_stages(
    connection: Connection,
    frames: CanonicalFrames,
    contract: Contract,
    vocabulary: Vocabulary,
    run_time: datetime,
) -> StagePlan:
    """Check every stage the import sets against `contract`; nothing is written here."""
    contacts, history = frames.contacts, frames.history
    columns = guard_columns(contract)
    keys = pd.concat(
        [
            contacts.get("external_id", pd.Series(dtype=object)),
            history.get("contact", pd.Series(dtype=object)),
        ]
    )
    stored = stored_contacts(connection, keys, columns)
    old = stored["lifecycle_stage"] if len(stored) else pd.Series(dtype=object)
    parts = [_contact_moves(contacts, stored, run_time, columns)] if len(contacts) else []
    if len(history):
        dated = _history_moves(
            _unrecorded(connection, history, stored), len(contacts), columns, stored
        )
        moves = _sequence(parts[0] if parts else dated.iloc[:0], dated, old)
    else:
        moves = (
            parts[0]
            if parts
            else pd.DataFrame(columns=["row", "contact", "from_stage", "to_stage"])
        )
    moves["last_reason_code"] = _stored_last_reasons(connection, contract, moves, stored)
    verdict = check_moves(moves, contract, vocabulary, prefer=NEW_STAGE)
    final = (
        moves.groupby("contact", sort=False)["to_stage"].last()
        if len(moves)
        else pd.Series(dtype=object)
    )
    stage = pd.Series(dtype=object)
    if len(contacts):
        keys = contacts["external_id"]
        stage = keys.map(final).fillna(keys.map(old)).fillna(NEW_STAGE).astype(object)
    return StagePlan(
        stage=stage,
        steps=verdict.steps,
        moved=_moved(final, contacts, stored)
        if len(history)
        else _moved(final.iloc[:0], contacts, stored),
        stored=stored,
        problems=_problems(verdict.violations, contacts, history),
    )


def _stored_last_reasons(
    connection: Connection, contract: Contract, moves: pd.DataFrame, stored: pd.DataFrame
) -> np.ndarray:
    reading = _needs_last_reason(contract)
    if not len(moves) or not reading or not len(stored):
        return np.full(len(moves), None, dtype=object)
    needs = moves["from_stage"].isin(reading).to_numpy()
    ids = moves["contact"][needs].map(stored["id"]).dropna().astype(int).unique().tolist()
    reasons = _last_reasons(connection, ids)
    return moves["contact"].map(stored["id"]).map(reasons).astype(object).to_numpy()


def _moved(final: pd.Series, contacts: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Stored contacts outside the contacts frame whose history changes their stage."""
    if not len(final) or not len(stored):
        return pd.DataFrame(columns=["id", "stage"])
    imported = contacts.get("external_id", pd.Series(dtype=object)).to_numpy()
    outside = final[~final.index.isin(imported)]
    outside = outside[outside.index.isin(stored.index)]
    changed = outside[outside != stored["lifecycle_stage"].reindex(outside.index)]
    return pd.DataFrame(
        {"id": stored["id"].reindex(changed.index).to_numpy(), "stage": changed.to_numpy()}
    )
