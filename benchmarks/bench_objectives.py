"""Benchmark of `objectives check`: every shipped objective over N leads of demo history.

    python benchmarks/bench_objectives.py --leads 1000000 [--json var/bench_objectives.json]

Generates the demo into a temporary SQLite file, reads what the check judges (lifecycle moves,
handoffs, every lead's features at its decision time scored by the rulebook in force: the load,
timed apart as `load_s`), then times `evaluate()` over every objective of data/objectives.yaml at
the newest lifecycle event (`objectives_check_s`, best of three: the part the 2 s goal is about).
The demo publishes no model, so the calibration objective is fed a stand-in model (a logistic of
the rulebook score against the `won` target): its measure costs the same whatever the model.
`peak_rss_mb` is the process's peak resident memory (demo generation included); the machine's
1-minute load average at the end is recorded with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from scoring.db import make_engine, upgrade
from scoring.features.quality import load_competitors
from scoring.learn.targets import target_named
from scoring.objectives import evaluate, load_objectives
from scoring.objectives.leads import lead_history
from scoring.objectives.measures import History
from scoring.policy import in_force
from scoring.rules import evaluate_hits, score
from scoring.settings import DEFAULTS
from scoring.sources.demo import generate_demo
from scoring.store.history import objective_history
from scoring.training_data import database_leads


def load(engine: Engine) -> History:
    """What the check judges, with the stand-in model's probabilities."""
    moves = objective_history(engine)
    frame = database_leads(engine, competitor_domains=load_competitors())
    book = in_force(engine).rulebook
    hits = evaluate_hits(book, frame)
    points = score(hits).total
    won = target_named("won")
    leads = lead_history(
        frame,
        hits,
        probability=1.0 / (1.0 + np.exp(-(points - book.threshold) / 10.0)),
        target=(won.event_column, won.horizon_days),
        model="stand-in",
    )
    return History(moves.events, moves.campaigns, moves.handoffs, leads)


def run(leads: int, seed: int) -> dict[str, Any]:
    objectives = load_objectives(DEFAULTS / "objectives.yaml")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = make_engine(url)
        upgrade(engine)
        began = time.perf_counter()
        generate_demo(engine, leads=leads, seed=seed)
        demo_s = time.perf_counter() - began
        began = time.perf_counter()
        history = load(engine)
        load_s = time.perf_counter() - began
        engine.dispose()
    at = history.events["occurred_at"].max().to_pydatetime()
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        statuses = evaluate(objectives, history, at)
        timings.append(time.perf_counter() - began)
    return {
        "leads": leads,
        "objectives_check_s": round(min(timings), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_s": round(load_s, 2),
        "demo_s": round(demo_s, 2),
        "at": f"{at:%Y-%m-%d %H:%M}",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "statuses": {
            s.name: {"state": s.state, "current": None if s.no_data else round(s.current, 4)}
            for s in statuses
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    figures = run(args.leads, args.seed)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)


if __name__ == "__main__":
    main()
