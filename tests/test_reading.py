"""Reading SELECTs into frames: the child-process path of large SQLite files, side by side, gives
the frames the in-process path gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from scoring.db import make_engine, reading, upgrade
from scoring.db.models import Campaign, Contact, LifecycleEvent, Touch
from scoring.sources.demo import generate_demo


def test_side_by_side_child_reads_equal_in_process_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("adbc_driver_sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    generate_demo(engine, leads=400, seed=3)
    queries = [
        select(*Contact.__table__.c),
        select(*Campaign.__table__.c),
        select(Touch.contact_id, Touch.kind, Touch.occurred_at, Touch.url),
        select(LifecycleEvent.contact_id, LifecycleEvent.to_stage, LifecycleEvent.occurred_at),
    ]
    in_process = reading.read_frames(engine, queries)  # a small file: one at a time, no child
    children: list[str] = []
    real = reading._arrow

    def recorded(path: str, sql: str) -> pd.DataFrame:
        children.append(sql)
        return real(path, sql)

    monkeypatch.setattr(reading, "FAST_PATH_BYTES", 0)  # every file is "large" now
    monkeypatch.setattr(reading, "_arrow", recorded)
    side_by_side = reading.read_frames(engine, queries, few={1})
    assert len(children) == 3 and not any("FROM campaigns" in sql for sql in children)
    assert all(len(frame) for frame in in_process)
    for expected, got in zip(in_process, side_by_side, strict=True):
        # the same values; a missing JSON document is None from one path and NaN from the other
        pd.testing.assert_frame_equal(_missing_as_none(got), _missing_as_none(expected))


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)
