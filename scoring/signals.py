"""The signals log: every inbound event, score change, transition, handoff attempt and feedback.

Rows are appended in the transaction of the change they describe, so the log never claims something
that was rolled back. `export_signals` writes them as date-partitioned Parquet
(`DIR/date=YYYY-MM-DD/signals.parquet`, Hive style) for a warehouse to pick up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import Signal

SIGNALS = cast(Table, Signal.__table__)

SIGNAL_KINDS = {
    "inbound_event": "an event accepted by POST /v1/events (lead upsert or activity)",
    "score_changed": "a lead's score moved after rescoring",
    "transition": "a lifecycle stage change applied through the contract",
    "assignment": "an MQL was assigned to a rep (with the rule and why)",
    "handoff_queued": "an MQL's complete payload entered the outbox",
    "handoff_blocked": "an MQL could not be handed off (incomplete payload, no rep)",
    "handoff_attempt": "one delivery attempt to the CRM and its outcome",
    "feedback": "the CRM reported accepted / rejected / qualified / opportunity / won / lost",
}
"""Every kind of signal, with what it means (docs/api.md lists the same table)."""

PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("occurred_at", pa.timestamp("us")),
        ("kind", pa.string()),
        ("source", pa.string()),
        ("contact_id", pa.int64()),
        ("data", pa.string()),
    ]
)


def utcnow() -> datetime:
    """Naive UTC now, the time convention of every table."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class SignalRow:
    """One signal about to be appended."""

    kind: str
    source: str
    contact_id: int | None = None
    data: Mapping[str, Any] | None = None
    occurred_at: datetime | None = None


def record(
    session: Session,
    kind: str,
    *,
    source: str,
    contact_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one signal in the session's transaction."""
    record_many(session, [SignalRow(kind, source, contact_id, data, at)])


def record_many(session: Session, rows: Iterable[SignalRow]) -> None:
    """Append several signals with one INSERT statement."""
    now = utcnow()
    values = [
        {
            "kind": _known(row.kind),
            "source": row.source,
            "contact_id": row.contact_id,
            "data": dict(row.data or {}),
            "occurred_at": row.occurred_at or now,
        }
        for row in rows
    ]
    if values:
        # Core insert: the ORM's bulk path costs more than the rows themselves here.
        session.execute(insert(SIGNALS), values)


def _known(kind: str) -> str:
    if kind not in SIGNAL_KINDS:
        raise ValueError(f"unknown signal kind {kind!r}; known: {', '.join(SIGNAL_KINDS)}")
    return kind


class _DayFiles:
    """One Parquet writer per day, written to a partial file and renamed when the day is complete."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.day: date | None = None
        self.writer: pq.ParquetWriter | None = None
        self.written: list[Path] = []

    def _paths(self, day: date) -> tuple[Path, Path]:
        folder = self.directory / f"date={day.isoformat()}"
        return folder / ".signals.parquet.partial", folder / "signals.parquet"

    def write(self, day: date, rows: list[dict[str, Any]]) -> None:
        if day != self.day or self.writer is None:
            self.close()
            partial, _ = self._paths(day)
            partial.parent.mkdir(parents=True, exist_ok=True)
            self.day, self.writer = day, pq.ParquetWriter(partial, PARQUET_SCHEMA)
        self.writer.write_table(pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA))

    def close(self) -> None:
        if self.writer is None or self.day is None:
            return
        self.writer.close()
        partial, target = self._paths(self.day)
        os.replace(partial, target)
        self.written.append(target)
        self.writer = None


def export_signals(
    engine: Engine, since: date, directory: Path, *, batch: int = 10_000
) -> list[Path]:
    """Write one Parquet file per UTC day from `since` on; a day exported again is replaced whole.

    Rows are streamed from the database in batches, so memory stays flat. Returns the files
    written, oldest day first.
    """
    query = (
        select(Signal.id, Signal.occurred_at, Signal.kind, Signal.source, Signal.contact_id)
        .add_columns(Signal.data)
        .where(Signal.occurred_at >= datetime.combine(since, time()))
        .order_by(Signal.occurred_at, Signal.id)
        .execution_options(yield_per=batch)
    )
    files = _DayFiles(directory)
    buffered: list[dict[str, Any]] = []
    day: date | None = None
    with engine.connect() as connection:
        for row in connection.execute(query):
            current = row.occurred_at.date()
            if day is not None and buffered and (current != day or len(buffered) >= batch):
                files.write(day, buffered)
                buffered = []
            day = current
            buffered.append({**row._asdict(), "data": json.dumps(row.data, sort_keys=True)})
    if buffered and day is not None:
        files.write(day, buffered)
    files.close()
    return files.written
