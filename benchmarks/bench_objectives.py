"""Benchmark of `objectives check`: every shipped objective over 1M leads of lifecycle history.

    python benchmarks/bench_objectives.py [--leads 1000000] [--json var/bench_objectives.json]

Measures, on this machine, the evaluator on a generated history (each lead an MQL spread over a year,
90% accepted as SAL within 0-48 h): `evaluate_s` is the wall time of `evaluate()` over that frame
(the pure part of the command, the one the 2 s goal is about); the database read is not included.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.objectives import evaluate, load_objectives

START = np.datetime64("2026-01-01T00:00:00", "ns")


def history(leads: int, seed: int = 7) -> pd.DataFrame:
    """One MQL entry per lead over 365 days; 90% of them accepted 0-48 h later."""
    rng = np.random.default_rng(seed)
    ids = np.arange(leads)
    mql_at = START + (rng.random(leads) * 365 * 86400e9).astype("timedelta64[ns]")
    accepted = rng.random(leads) < 0.9
    sal_at = mql_at[accepted] + (rng.random(int(accepted.sum())) * 48 * 3600e9).astype(
        "timedelta64[ns]"
    )
    return pd.DataFrame(
        {
            "contact_id": np.concatenate([ids, ids[accepted]]),
            "to_stage": pd.Categorical(["mql"] * leads + ["sal"] * int(accepted.sum())),
            "occurred_at": np.concatenate([mql_at, sal_at]),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    objectives = load_objectives("data/objectives.yaml")
    events = history(args.leads)
    at = datetime(2026, 12, 31)
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        statuses = evaluate(objectives, events, at)
        timings.append(time.perf_counter() - began)
    figures = {
        "leads": args.leads,
        "events": len(events),
        "evaluate_s": round(min(timings), 3),
        "statuses": {s.name: {"breached": s.breached, "current": s.current} for s in statuses},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
