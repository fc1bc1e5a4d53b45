"""Replay recorded histories through the contract: every row must be a declared step, in an
unbroken chain from an entry stage, with its guards met; pure and vectorised (scoring.lifecycle.batch)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.lifecycle.batch import VIOLATION_COLUMNS, check_moves
from scoring.lifecycle.contract import Contract
from scoring.reasons import Vocabulary


def _broken(events: pd.DataFrame) -> pd.DataFrame:
    """Rows whose `from_stage` is not where the contact's previous row ended."""
    first = events["contact"].ne(events["contact"].shift()).to_numpy()
    before = events["to_stage"].shift().astype(object).where(~first, None)
    given = events["from_stage"].astype(object).where(events["from_stage"].notna(), None)
    bad = (given.fillna("") != before.fillna("")).to_numpy()
    rows = np.flatnonzero(bad)
    ended = before.to_numpy()
    rules = [
        f"the history is broken: the row before ends at {ended[i] or '(no stage)'!s}"
        for i in rows.tolist()
    ]
    return pd.DataFrame(
        {
            "row": rows,
            "field": "stage",
            "from_stage": given.to_numpy()[rows],
            "to_stage": events["to_stage"].to_numpy()[rows],
            "rule": pd.Series(rules, dtype=object),
        },
        columns=list(VIOLATION_COLUMNS),
    )


def _final(events: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Contacts whose stage is not where their history ends (row: their last history row)."""
    last = events.reset_index(drop=True).groupby("contact", sort=False).tail(1)
    stage = last["contact"].map(contacts["lifecycle_stage"])
    wrong = last[(stage != last["to_stage"]).to_numpy()]
    return pd.DataFrame(
        {
            "row": wrong.index.to_numpy(),
            "field": "stage",
            "from_stage": wrong["to_stage"].to_numpy(),
            "to_stage": stage[wrong.index].to_numpy(),
            "rule": "the contact's stage is not where its history ends",
        },
        columns=list(VIOLATION_COLUMNS),
    )


def replay(
    events: pd.DataFrame,
    contract: Contract,
    vocabulary: Vocabulary,
    *,
    contacts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every violation of the recorded `events` (contact, from_stage, to_stage, reason_code; one
    contact's rows consecutive, oldest first); `row` is the position in `events`.

    With `contacts` (indexed by the same contact key, with `lifecycle_stage` and the contact
    columns the guards read), guards on contact columns are checked too, and every contact's
    stage must be where its history ends.
    """
    events = events.reset_index(drop=True)
    moves = events[["contact", "from_stage", "to_stage", "reason_code"]].assign(
        row=np.arange(len(events)), witnessed=contacts is not None
    )
    if contacts is not None:
        for column in contacts.columns:
            if column != "lifecycle_stage":
                moves[column] = events["contact"].map(contacts[column]).to_numpy()
    parts = [_broken(events), check_moves(moves, contract, vocabulary).violations]
    unmoved = (moves["from_stage"].fillna("") == moves["to_stage"]).to_numpy()
    if unmoved.any():  # check_moves skips a move to the same stage; a stored row may not
        parts.append(_same_stage(events, np.flatnonzero(unmoved)))
    if contacts is not None and "lifecycle_stage" in contacts:
        parts.append(_final(events, contacts))
    return pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")


def _same_stage(events: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": rows,
            "field": "stage",
            "from_stage": events["from_stage"].to_numpy()[rows],
            "to_stage": events["to_stage"].to_numpy()[rows],
            "rule": "a history row must change the stage",
        },
        columns=list(VIOLATION_COLUMNS),
    )
