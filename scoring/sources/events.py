"""Lifecycle history rows appended in bulk (an import writes one per accepted step)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert

from scoring.db.models import LifecycleEvent
from scoring.sources.frames import python_values
from scoring.sources.upsert import BATCH, records

_ROWS_PER_INSERT = 200  # one statement checks its constraints once for many rows


def insert_events(connection: Connection, events: pd.DataFrame) -> None:
    """Append history rows in bulk: on SQLite multi-row INSERTs through the driver (no per-row
    statement processing; times as the text SQLAlchemy stores), elsewhere through Core."""
    columns = list(events.columns)
    if connection.dialect.name != "sqlite":
        rows = records(events, columns)
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(LifecycleEvent), rows[start : start + BATCH])
        return
    times = events["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    width = len(columns)
    flat: list[object] = [None] * (len(events) * width)
    for j, column in enumerate(columns):  # row-major, interleaved in C by strided assignment
        flat[j::width] = (
            times.tolist() if column == "occurred_at" else python_values(events[column])
        )
    head = f"INSERT INTO lifecycle_events ({', '.join(columns)}) VALUES "
    row = "(" + ", ".join("?" * width) + ")"
    step = _ROWS_PER_INSERT * width
    full = len(flat) // step
    raw: Any = connection.connection.driver_connection
    if full:
        statement = head + ", ".join([row] * _ROWS_PER_INSERT)
        raw.executemany(statement, (flat[i * step : (i + 1) * step] for i in range(full)))
    rest = flat[full * step :]
    if rest:
        raw.execute(head + ", ".join([row] * (len(rest) // width)), rest)
