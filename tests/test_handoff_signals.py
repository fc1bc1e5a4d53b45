"""The signals log and its date-partitioned Parquet export."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.signals import SIGNAL_KINDS, SignalRow, export_signals, record, record_many


def test_signals_export_as_one_parquet_file_per_day(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session, session.begin():
        record(
            session,
            "feedback",
            source="crm",
            contact_id=1,
            data={"reason_code": "no_budget"},
            at=datetime(2026, 1, 4, 23, 59),
        )
        record_many(
            session,
            [
                SignalRow(
                    "inbound_event", "web", 2, {"event_id": "e-1"}, datetime(2026, 1, 5, 0, 0)
                ),
                SignalRow("score_changed", "web", 2, {"after": 71.5}, datetime(2026, 1, 5, 9, 30)),
                SignalRow("transition", "web", None, {}, datetime(2026, 1, 6, 12, 0)),
            ],
        )
    files = export_signals(engine, date(2026, 1, 5), tmp_path / "signals", batch=1)
    assert [f.parent.name for f in files] == ["date=2026-01-05", "date=2026-01-06"]
    day = pq.read_table(files[0]).to_pylist()
    assert [(r["kind"], r["contact_id"]) for r in day] == [
        ("inbound_event", 2),
        ("score_changed", 2),
    ]
    assert json.loads(day[1]["data"]) == {"after": 71.5}
    assert pq.read_table(files[1]).to_pylist()[0]["contact_id"] is None
    again = export_signals(engine, date(2026, 1, 5), tmp_path / "signals")
    assert again == files  # a re-export replaces each day whole
    assert not list((tmp_path / "signals").rglob("*.partial"))


def test_an_unknown_signal_kind_is_refused(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session, pytest.raises(ValueError, match="unknown signal kind"):
        record(session, "rumour", source="web")
    assert "feedback" in SIGNAL_KINDS
