"""Many moves at once against the contract, vectorised: which are refused (and by which rule), and
the history steps the others record.

Pure: frames in, frames out. A move is one row of `moves` (columns below); the steps it records
are the declared transitions of its route (scoring.lifecycle.routes). What is checked, per guard:

- guards on the cited reason or on the previous step's reason (`reason_required`, `one_of` on
  `last_reason_code`) are checked on every step; a step the contract implies cites no reason;
- guards on a contact column (`owner_assigned`, `company_known`) are checked on the stated step
  of a `witnessed` move (a move made now, on a contact the caller holds); on other steps the
  source attests them and the step's note says so;
- guards on facts (score, threshold, failed gates) are attested by the source of a batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.lifecycle.batch_guards import GuardCheck, guard_checks
from scoring.lifecycle.contract import Contract
from scoring.lifecycle.routes_table import RouteTable, route_table
from scoring.reasons import Vocabulary

MOVE_COLUMNS = ("row", "contact", "from_stage", "to_stage")
"""Required columns of `moves`. Optional: reason_code, last_reason_code (the contact's latest
stored reason, read by the first move of a contact), implied (may take the contract's shortest
route), witnessed (contact guards are checked), at and entry_at (passed through to the steps),
and the contact columns the guards read. Moves of one contact are consecutive, oldest first."""
VIOLATION_COLUMNS = ("row", "field", "from_stage", "to_stage", "rule")
STEP_COLUMNS = ("row", "contact", "from_stage", "to_stage", "reason_code", "note", "implied")


@dataclass(frozen=True)
class Verdict:
    """`violations`: one row per refused move or unmet guard (row, field: stage|reason, from_stage,
    to_stage, rule). `steps`: the history rows the moves record, in order, with the move's row."""

    violations: pd.DataFrame
    steps: pd.DataFrame

    @property
    def ok(self) -> bool:
        return not len(self.violations)


def _objects(series: pd.Series) -> np.ndarray:
    """Values as Python objects with None (never NaN) for missing ones."""
    values: np.ndarray = series.astype(object).where(series.notna(), None).to_numpy()
    return values


def _column(moves: pd.DataFrame, name: str, default: object) -> np.ndarray:
    if name in moves:
        return moves[name].to_numpy() if isinstance(default, bool) else _objects(moves[name])
    return np.full(len(moves), default, dtype=object if not isinstance(default, bool) else bool)


def _refusals(
    table: RouteTable,
    moves: pd.DataFrame,
    coded: tuple[np.ndarray, np.ndarray],
    implied: np.ndarray,
    bad: np.ndarray,
) -> pd.DataFrame:
    rows = np.flatnonzero(bad)
    source, target = coded
    names = moves["from_stage"].to_numpy(), moves["to_stage"].to_numpy()
    rules = [
        table.refusal(int(source[i]), int(target[i]), names[0][i], names[1][i], bool(implied[i]))
        for i in rows
    ]
    return pd.DataFrame(
        {
            "row": moves["row"].to_numpy()[rows],
            "field": "stage",
            "from_stage": moves["from_stage"].to_numpy()[rows],
            "to_stage": moves["to_stage"].to_numpy()[rows],
            "rule": pd.Series(rules, dtype=object),
        },
        columns=list(VIOLATION_COLUMNS),
    )


@dataclass(frozen=True)
class _Expanded:
    move: np.ndarray  # index of the move each step belongs to
    source: np.ndarray  # stage codes
    target: np.ndarray
    last: np.ndarray  # the stated step of its move
    implied: np.ndarray  # a step of a route longer than the stated move


def _expand(table: RouteTable, chosen: np.ndarray, keep: np.ndarray) -> _Expanded:
    moves = np.flatnonzero(keep)
    ids = chosen[moves]
    lengths = table.length[ids]
    move = np.repeat(moves, lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(move)) - first
    repeated = np.repeat(ids, lengths)
    flat = table.offset[repeated] + position
    last = position == np.repeat(lengths, lengths) - 1
    return _Expanded(move, table.step_from[flat], table.step_to[flat], last, ~last)


def _previous_reasons(
    contact: np.ndarray, reason: np.ndarray, stored_last: np.ndarray
) -> np.ndarray:
    """The reason of each step's predecessor: the step before (same contact), else the stored one."""
    first = np.ones(len(contact), dtype=bool)
    first[1:] = contact[1:] != contact[:-1]
    before = np.empty(len(reason), dtype=object)
    before[1:] = reason[:-1]
    return np.where(first, stored_last, before)


def check_moves(
    moves: pd.DataFrame,
    contract: Contract,
    vocabulary: Vocabulary,
    *,
    prefer: str | None = "lead",
) -> Verdict:
    """Check every move of `moves` against `contract`; see the module docstring for the rules.

    `prefer` is the entry stage a new contact's route starts from when several are equally near.
    Moves to the stage a contact already has record nothing.
    """
    table = route_table(contract, prefer)
    source = table.codes(moves["from_stage"].to_numpy(), none=True)
    target = table.codes(moves["to_stage"].to_numpy(), none=False)
    implied = _column(moves, "implied", False).astype(bool)
    chosen = np.where(implied, table.shortest[source, target], table.direct[source, target])
    moving = source != target
    refused = moving & (chosen < 0)
    keep = moving & ~refused
    steps = _expand(table, chosen, keep)
    contact_codes: np.ndarray = np.asarray(pd.factorize(moves["contact"])[0])
    reason = _column(moves, "reason_code", None)[steps.move]
    reason[~steps.last] = None  # a step the contract implies cites no reason
    previous = _previous_reasons(
        contact_codes[steps.move], reason, _column(moves, "last_reason_code", None)[steps.move]
    )
    witnessed = _column(moves, "witnessed", False).astype(bool)[steps.move] & steps.last
    checks = guard_checks(contract, table, steps.source, steps.target)
    values = _step_values(moves, steps.move, reason, previous, checks)
    unmet, notes = _judge(checks, values, witnessed, steps.implied, vocabulary, table)
    return Verdict(
        violations=pd.concat(
            [
                _refusals(table, moves, (source, target), implied, refused),
                _unmet_frame(moves, steps, unmet),
            ],
            ignore_index=True,
        ),
        steps=_steps_frame(moves, steps, reason, notes, table),
    )


def _step_values(
    moves: pd.DataFrame,
    move: np.ndarray,
    reason: np.ndarray,
    previous: np.ndarray,
    checks: list[GuardCheck],
) -> dict[str, np.ndarray]:
    values = {"reason_code": reason, "last_reason_code": previous}
    for check in checks:
        for name in check.fields:
            if name not in values and name in moves:
                values[name] = _objects(moves[name])[move]
    return values


def _judge(
    checks: list[GuardCheck],
    values: Mapping[str, np.ndarray],
    witnessed: np.ndarray,
    implied: np.ndarray,
    vocabulary: Vocabulary,
    table: RouteTable,
) -> tuple[list[tuple[np.ndarray, GuardCheck, list[str]]], np.ndarray]:
    """Unmet guards (step positions, guard, why) and the note of every step."""
    size = len(implied)
    attested = [np.zeros(size, dtype=bool) for _ in checks]
    unmet = []
    for index, check in enumerate(checks):
        evaluated = check.rows & (
            witnessed if check.scope == "contact" else check.scope == "always"
        )
        attested[index] = check.rows & ~evaluated
        failing = check.failing(values, evaluated, vocabulary)
        if len(failing[0]):
            unmet.append((failing[0], check, failing[1]))
    return unmet, table.notes(checks, attested, implied)


def _unmet_frame(
    moves: pd.DataFrame, steps: _Expanded, unmet: list[tuple[np.ndarray, GuardCheck, list[str]]]
) -> pd.DataFrame:
    parts = []
    for positions, check, why in unmet:
        move = steps.move[positions]
        parts.append(
            pd.DataFrame(
                {
                    "row": moves["row"].to_numpy()[move],
                    "field": check.field,
                    "from_stage": check.source,
                    "to_stage": check.target,
                    "rule": pd.Series(why, dtype=object),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(VIOLATION_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def _steps_frame(
    moves: pd.DataFrame, steps: _Expanded, reason: np.ndarray, notes: np.ndarray, table: RouteTable
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "row": moves["row"].to_numpy()[steps.move],
            "contact": moves["contact"].to_numpy()[steps.move],
            "from_stage": table.names[steps.source],
            "to_stage": table.names[steps.target],
            "reason_code": reason,
            "note": notes,
            "implied": steps.implied,
        }
    )
    if "at" in moves:
        at = moves["at"].to_numpy()[steps.move]
        if "entry_at" in moves:
            entering = steps.source == table.none
            at = np.where(entering, moves["entry_at"].to_numpy()[steps.move], at)
        frame["at"] = at
    return frame
