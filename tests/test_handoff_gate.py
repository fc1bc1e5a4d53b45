"""The write gate: writers of one SQLite file take turns; other databases need no gate."""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import create_engine

from scoring.handoff.gate import WriteGate, write_gate


def test_one_gate_per_sqlite_file_and_none_elsewhere(tmp_path: Path) -> None:
    first = write_gate(create_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    again = write_gate(create_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    assert isinstance(first, WriteGate) and first is again
    assert isinstance(write_gate(create_engine("sqlite://")), nullcontext)
    assert isinstance(write_gate(create_engine("postgresql+psycopg://u@127.0.0.1/x")), nullcontext)


def test_writers_take_turns(tmp_path: Path) -> None:
    gate = write_gate(create_engine(f"sqlite:///{tmp_path / 'b.db'}"))
    inside: list[int] = []
    overlaps: list[int] = []

    def write(n: int) -> None:
        for _ in range(20):
            with gate:
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(n)
                time.sleep(0.0005)
                inside.remove(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert (tmp_path / "b.db-writer.lock").exists()
