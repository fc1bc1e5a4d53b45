"""Bulk writes of scores: every lead's score in one statement stream, not one ORM row at a time.

`store_scores` upserts `lead_scores` for a whole frame of leads in the caller's transaction:
SQLite through one executemany of INSERT ... ON CONFLICT DO UPDATE, PostgreSQL through COPY into a
temporary table and one INSERT ... ON CONFLICT from it. A score that changed (at 2 decimals) or is
new is also appended to the signals log, as the single-lead path (scoring.handoff.qualify) does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, select

from scoring.db.models import LeadScore, Signal
from scoring.db.reading import read_frame

SCORES = cast(Table, LeadScore.__table__)
SIGNALS = cast(Table, Signal.__table__)
COLUMNS = (
    "contact_id",
    "score",
    "fit",
    "engagement",
    "threshold",
    "failed_gates",
    "explanation",
    "rulebook_version",
    "contract_version",
    "scored_at",
    "as_of",
)
CHUNK = 50_000
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _rows(frame: pd.DataFrame, stamp: dict[str, Any]) -> Iterator[dict[str, Any]]:
    gates = frame["failed_gates"].to_numpy()
    numbers = {
        c: frame[c].to_numpy(dtype=np.float64).tolist()
        for c in ("score", "fit", "engagement", "threshold")
    }
    ids = frame["lead_id"].to_numpy(dtype=np.int64).tolist()
    explanations = frame["explanation"].tolist()
    for i, lead in enumerate(ids):
        yield {
            "contact_id": lead,
            "score": numbers["score"][i],
            "fit": numbers["fit"][i],
            "engagement": numbers["engagement"][i],
            "threshold": numbers["threshold"][i],
            "failed_gates": gates[i].split(",") if gates[i] else [],
            "explanation": explanations[i],
            **stamp,
        }


def changed_scores(connection: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Leads of `frame` whose stored score is missing or differs at 2 decimals: before and after."""
    stored = read_frame(connection, select(SCORES.c.contact_id, SCORES.c.score))
    merged = frame[["lead_id", "score"]].merge(
        stored.rename(columns={"contact_id": "lead_id", "score": "before"}),
        on="lead_id",
        how="left",
    )
    moved = merged["before"].isna() | (merged["before"].round(2) != merged["score"].round(2))
    return merged[moved]


def store_scores(
    connection: Connection,
    frame: pd.DataFrame,
    *,
    rulebook_version: str,
    contract_version: str,
    as_of: datetime,
    now: datetime,
    source: str,
) -> int:
    """Upsert every lead of `frame` (lead_id, score, fit, engagement, threshold, failed_gates and
    explanation as JSON text); returns how many rows were written."""
    changes = changed_scores(connection, frame)
    stamp = {
        "rulebook_version": rulebook_version,
        "contract_version": contract_version,
        "scored_at": now,
        "as_of": as_of,
    }
    if connection.dialect.name == "postgresql":
        _copy_upsert(connection, frame, stamp)
    else:
        _executemany_upsert(connection, frame, stamp)
    _signal_changes(connection, changes, rulebook_version, now, source)
    return len(frame)


def _upsert_sql(source: str) -> str:
    columns = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "contact_id")
    return (
        f"INSERT INTO lead_scores ({columns}) {source} "
        f"ON CONFLICT (contact_id) DO UPDATE SET {updates}"
    )


def _tuples(frame: pd.DataFrame, stamp: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for row in _rows(frame, stamp):
        row["failed_gates"] = json.dumps(row["failed_gates"])
        yield tuple(row[c] for c in COLUMNS)


def _executemany_upsert(connection: Connection, frame: pd.DataFrame, stamp: dict[str, Any]) -> None:
    # JSON columns get their text as it is; times in SQLAlchemy's SQLite storage format.
    stamp = {k: v.strftime(SQLITE_TIME) if isinstance(v, datetime) else v for k, v in stamp.items()}
    sql = _upsert_sql(f"VALUES ({', '.join('?' for _ in COLUMNS)})")
    rows = _tuples(frame, stamp)
    while batch := list(islice(rows, CHUNK)):
        connection.exec_driver_sql(sql, batch)


def _copy_upsert(connection: Connection, frame: pd.DataFrame, stamp: dict[str, Any]) -> None:
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE incoming_scores (LIKE lead_scores) ON COMMIT DROP"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY incoming_scores ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in _tuples(frame, stamp):
            copy.write_row(row)
    connection.exec_driver_sql(_upsert_sql(f"SELECT {', '.join(COLUMNS)} FROM incoming_scores"))
    connection.exec_driver_sql("DROP TABLE incoming_scores")


def _signal_changes(
    connection: Connection, changes: pd.DataFrame, version: str, now: datetime, source: str
) -> None:
    """One `score_changed` signal per changed lead, written as the scores are: through the
    driver (SQLite executemany of ready tuples, PostgreSQL COPY), not one parameter dict a row."""
    if changes.empty:
        return
    before = changes["before"].astype(object).where(changes["before"].notna(), None).tolist()
    after = changes["score"].to_numpy(dtype=np.float64).tolist()
    leads = changes["lead_id"].to_numpy(dtype=np.int64).tolist()
    data = (
        json.dumps({"before": b, "after": a, "rulebook_version": version})
        for b, a in zip(before, after, strict=True)
    )
    postgresql = connection.dialect.name == "postgresql"
    at: datetime | str = now if postgresql else now.strftime(SQLITE_TIME)
    rows = ((at, "score_changed", source, lead, d) for lead, d in zip(leads, data, strict=True))
    columns = "occurred_at, kind, source, contact_id, data"
    if postgresql:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY signals ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO signals ({columns}) VALUES (?, ?, ?, ?, ?)"
    while batch := list(islice(rows, CHUNK)):
        connection.exec_driver_sql(sql, batch)
