"""Benchmark of `smarketing score`'s store: every lead's score written in one bulk stream, against
SQLAlchemy's generic executemany of the same rows, in one process, on SQLite and PostgreSQL.

    python benchmarks/bench_score_store.py --leads 1000000 --json var/bench_score_store.json

Per backend: a demo database of `--leads` leads is generated, then the batch (what `smarketing
score` runs: read features, score, explanations, store every score, move the qualifying leads) runs
once on the empty `lead_scores` and once more over the stored scores (the daily re-score: every row
an update). The store's share of each run is timed by wrapping `store_scores`. The baseline stores
the same frame through `connection.execute(insert(lead_scores), rows)` (SQLAlchemy Core's
executemany with its insertmanyvalues batching) into the emptied table: what a straightforward
implementation would do. Reported: wall seconds of each batch, of each store, rows stored (asserted
equal to the number of leads), peak RSS and the 1-minute load average. Keys `sqlite_s` and
`postgresql_s` are the first full batch on each backend.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from report import emit
from sqlalchemy import Engine, create_engine, delete, func, insert, select, text

import scoring.handoff.batch as batch
from scoring.db import make_engine, upgrade
from scoring.db.models import Contact, LeadScore, LifecycleEvent
from scoring.features.quality import load_competitors
from scoring.handoff.scorer import pipeline_for
from scoring.handoff.settings import ServiceSettings
from scoring.policy import in_force
from scoring.sources.demo import generate_demo
from scoring.store import scores as store


@contextmanager
def postgres_schema() -> Iterator[str]:
    base = os.environ.get(
        "SMARKETING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def timed_store(spent: list[float], frames: list[pd.DataFrame]) -> Iterator[None]:
    """Time every `store_scores` call of the batch; keep the frame it stored for the baseline."""
    original = batch.store_scores

    def wrapped(*args: Any, **kwargs: Any) -> int:
        frames.append(args[1])
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    batch.store_scores = wrapped
    try:
        yield
    finally:
        batch.store_scores = original


def latest_moment(engine: Engine) -> datetime:
    with engine.connect() as connection:
        known = [
            connection.scalar(select(func.max(Contact.created_at))),
            connection.scalar(select(func.max(LifecycleEvent.occurred_at))),
        ]
    return max(t for t in known if t is not None) + timedelta(seconds=1)


def stored_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(LeadScore)) or 0)


def run_batch(
    engine: Engine, as_of: datetime, profile_to: Path | None = None
) -> tuple[dict[str, Any], pd.DataFrame]:
    policy = in_force(engine)
    pipeline = pipeline_for(policy, ServiceSettings.from_env())
    spent: list[float] = []
    frames: list[pd.DataFrame] = []
    profiler = cProfile.Profile() if profile_to else None
    with timed_store(spent, frames):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        run = batch.score_and_qualify(
            engine, pipeline, policy.rulebook, as_of=as_of, competitor_domains=load_competitors()
        )
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - started
    if profiler and profile_to:
        profile_to.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile_to)
        pstats.Stats(str(profile_to)).sort_stats("cumulative").print_stats(30)
    figures = {
        "batch_s": round(wall, 2),
        "store_s": round(sum(spent), 2),
        "scored": len(run.scores),
        "moved_to_mql": len(run.rescored.qualified),
        "stored_rows": stored_rows(engine),
    }
    return figures, frames[0]


def generic_store(engine: Engine, frame: pd.DataFrame, as_of: datetime) -> float:
    """The baseline, on the emptied table as the first batch found it: the same rows through
    SQLAlchemy Core's executemany, plus the same change check and signals as the shipped store."""
    table, now = store.SCORES, datetime.now()
    stamp = {"rulebook_version": "b", "contract_version": "b", "scored_at": now, "as_of": as_of}
    with engine.begin() as connection:
        connection.execute(delete(table))
        connection.execute(delete(store.SIGNALS).where(store.SIGNALS.c.kind == "score_changed"))
    started = time.perf_counter()
    with engine.begin() as connection:
        changes = store.changed_scores(connection, frame)
        rows = list(store._rows(frame, stamp))
        for start in range(0, len(rows), store.CHUNK):
            connection.execute(insert(table), rows[start : start + store.CHUNK])
        _generic_signals(connection, changes, now)
    return time.perf_counter() - started


def _generic_signals(connection: Any, changes: pd.DataFrame, now: datetime) -> None:
    """The signals of the baseline: one parameter dict a row through Core's executemany."""
    before = changes["before"].astype(object).where(changes["before"].notna(), None).tolist()
    rows = [
        {
            "occurred_at": now,
            "kind": "score_changed",
            "source": "bench",
            "contact_id": int(lead),
            "data": {"before": b, "after": float(after), "rulebook_version": "b"},
        }
        for lead, b, after in zip(changes["lead_id"], before, changes["score"], strict=True)
    ]
    for start in range(0, len(rows), store.CHUNK):
        connection.execute(store.SIGNALS.insert(), rows[start : start + store.CHUNK])


def measure(
    url: str, leads: int, seed: int, timer: Callable[[], float], profile_to: Path | None = None
) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    started = timer()
    generate_demo(engine, leads=leads, seed=seed)
    demo_s = timer() - started
    as_of = latest_moment(engine)
    first, frame = run_batch(engine, as_of, profile_to)
    again, _ = run_batch(engine, as_of)
    baseline_s = generic_store(engine, frame, as_of)
    baseline_rows = stored_rows(engine)
    engine.dispose()
    for figures in (first, again):
        assert figures["stored_rows"] == leads, figures  # every lead's score, not only movers
    assert baseline_rows == leads
    return {
        "demo_s": round(demo_s, 1),
        "first": first,
        "rescore": again,
        "generic_executemany_store_s": round(baseline_s, 2),
        "store_speedup_vs_generic": round(baseline_s / first["store_s"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile", type=Path, help="cProfile the first batch into FILE(.sqlite/.postgresql)"
    )
    args = parser.parse_args()
    report: dict[str, Any] = {"leads": args.leads}
    for backend in args.backend or ("sqlite", "postgresql"):
        profile_to = args.profile.with_suffix(f".{backend}") if args.profile else None
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'scores.db'}"
                report[backend] = measure(url, args.leads, args.seed, time.perf_counter, profile_to)
        else:
            with postgres_schema() as url:
                report[backend] = measure(url, args.leads, args.seed, time.perf_counter, profile_to)
        report[f"{backend}_s"] = report[backend]["first"]["batch_s"]
    report["load_avg"] = round(os.getloadavg()[0], 2)
    emit(report, args.json)


if __name__ == "__main__":
    main()
