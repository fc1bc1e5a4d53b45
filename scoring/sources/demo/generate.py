"""Generate the demo into a database: simulate chunk by chunk and bulk-write each one, with progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from scoring.errors import ConfigError
from scoring.reasons import load_reasons
from scoring.sources.demo.dataset import CHUNK_SIZE, DemoChunk, simulate
from scoring.sources.demo.encode import encode, encode_chunk
from scoring.sources.demo.write import Load, bulk_load, clear, non_empty
from scoring.store.reasons import sync_reasons

DEMO_TABLES = ("reps", "campaigns", *DemoChunk.__dataclass_fields__)
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoReport:
    """What a demo run wrote: rows per table and how long it took."""

    leads: int
    seed: int
    rows: dict[str, int]
    seconds: float


@contextmanager
def _progress(progress: bool | ProgressCallback, total: int) -> Iterator[ProgressCallback]:
    if callable(progress):
        yield progress
        return
    if not progress:
        yield lambda done, total: None
        return
    columns = (
        TextColumn("demo leads"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("demo", total=total)
        yield lambda done, total: bar.update(task, completed=done)


def generate_demo(
    engine: Engine,
    *,
    leads: int,
    seed: int,
    replace: bool = False,
    progress: bool | ProgressCallback = False,
    chunk_size: int = CHUNK_SIZE,
) -> DemoReport:
    """Write `leads` demo leads (and their accounts, touches, history, deals) into `engine`.

    The schema must be migrated. A database that already holds demo-table rows is refused with
    ConfigError unless `replace` (then every canonical table except the reasons vocabulary is
    emptied first, in the same transaction). `progress` is True for a rich bar or a callable
    receiving (leads done, leads total).
    """
    started = time.perf_counter()
    demo = simulate(leads, seed, chunk_size=chunk_size)
    with bulk_load(engine) as load:
        _make_room(load, replace)
        load.write(encode("reps", demo.reps))
        load.write(encode("campaigns", demo.campaigns))
        with _progress(progress, leads) as report:
            report(0, leads)
            for chunk in demo.chunks():
                for batch in encode_chunk(chunk):
                    load.write(batch)
                report(load.counts["contacts"], leads)
        load.finish()
    return DemoReport(leads, seed, dict(load.counts), time.perf_counter() - started)


def _make_room(load: Load, replace: bool) -> None:
    """Refuse (or, with `replace`, empty) a database that holds data; then sync the reasons."""
    occupied = non_empty(load.connection, DEMO_TABLES)
    if occupied and not replace:
        raise ConfigError(
            f"the database already holds data ({', '.join(occupied)}); "
            "use --replace to wipe it and generate the demo"
        )
    if occupied:
        clear(load.connection)
    sync_reasons(load.connection, load_reasons())
    load.prepare(DEMO_TABLES)
