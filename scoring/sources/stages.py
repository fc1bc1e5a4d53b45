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
from scoring.sources.moves import (
    NEW_STAGE,
    aligned,
    contact_moves,
    history_moves,
    sequence,
    unrecorded,
)
from scoring.sources.upsert import lookup

CONTACT_COLUMNS = frozenset(Contact.__table__.columns.keys())
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
    (`moved`: id, stage), the `stored` rows it looked up (and `held`: them aligned to the
    contacts frame), and every refusal as a problem."""

    stage: pd.Series
    steps: pd.DataFrame
    moved: pd.DataFrame
    stored: pd.DataFrame
    held: pd.DataFrame
    problems: list[Problem]


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
    held = aligned(stored, contacts.get("external_id", pd.Series(dtype=object)))
    parts = [contact_moves(contacts, held, run_time, columns)] if len(contacts) else []
    if len(history):
        dated = history_moves(
            unrecorded(connection, history, stored), len(contacts), columns, stored
        )
        moves = sequence(parts[0] if parts else dated.iloc[:0], dated, old)
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
        stated = final.reindex(keys.to_numpy()).set_axis(keys.index, axis=0)
        stage = stated.fillna(held["lifecycle_stage"]).fillna(NEW_STAGE).astype(object)
    return StagePlan(
        stage=stage,
        steps=verdict.steps,
        moved=_moved(final if len(history) else final.iloc[:0], contacts, stored),
        stored=stored,
        held=held,
        problems=_problems(verdict.violations, contacts, history),
    )


def _stored_last_reasons(
    connection: Connection, contract: Contract, moves: pd.DataFrame, stored: pd.DataFrame
) -> np.ndarray:
    reading = _needs_last_reason(contract)
    if not len(moves) or not reading or not len(stored):
        return np.full(len(moves), None, dtype=object)
    leaving = moves["from_stage"].isin(reading) & (moves["from_stage"] != moves["to_stage"])
    needs = leaving.to_numpy()
    if not needs.any():  # only a move out of such a stage reads the stored reason
        return np.full(len(moves), None, dtype=object)
    ids = aligned(stored, moves["contact"])["id"]
    reasons = _last_reasons(connection, ids[needs].dropna().astype(int).unique().tolist())
    return ids.map(reasons).astype(object).to_numpy()


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
