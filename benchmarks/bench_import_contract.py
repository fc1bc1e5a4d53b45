"""Benchmark of the lifecycle-contract check of `smarketing import`: the same file imported with the
check and without it, in one process, each into a fresh SQLite database.

    python benchmarks/bench_import_contract.py --rows 1000000 --json var/bench_import_contract.json

The file is a generated `canonical` contacts.csv: new contacts at lead (70%), subscriber (10%),
mql (10%), disqualified with a reason (5%) and won (5%). Then a second file re-imports every
contact with a changed stage for 30% of them (lead -> mql, mql -> disqualified and subscriber ->
disqualified, citing a reason), so stored contacts are checked too.

"without" replaces the contract check (scoring.sources.stages.plan_stages) by the rule imports
had before it: the stage is the file's (or the stored, or lead), one history row per changed
contact, nothing refused. "with" is the shipped import: every move checked, routes recorded. Both
write through the same code; the difference is the check plus the extra history rows of routes.
Each variant runs `--repeat` times, alternating, and the fastest run of each phase is kept (the
machine is shared). Reported: wall seconds of each import, the ratio, seconds spent planning the
stages (for "with": the check), history rows, peak RSS and the 1-minute load average.
Goal: the check adds <= 10%.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from report import emit
from sqlalchemy import Connection

import scoring.sources.pipeline as pipeline
from scoring.db import make_engine, upgrade
from scoring.sources import import_files, load_profile
from scoring.sources.frames import CanonicalFrames
from scoring.sources.moves import NEW_STAGE, aligned
from scoring.sources.stages import StagePlan, plan_stages, stored_contacts

STAGES = np.array(["lead", "subscriber", "mql", "disqualified", "lead"], dtype=object)
SHARES = [0.70, 0.10, 0.10, 0.05, 0.05]  # the last "lead" share is won


def write_files(folder: Path, rows: int, seed: int) -> tuple[Path, Path]:
    """The first import (new contacts) and the re-import (30% changed stages)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(len(STAGES), size=rows, p=SHARES)
    stage = STAGES[kind]
    keys = np.char.add("b-", np.arange(rows).astype(str))
    first = pd.DataFrame(
        {
            "external_id": keys,
            "lifecycle_stage": stage,
            "disqualification_reason": np.where(stage == "disqualified", "no_need", ""),
            "won": np.where(kind == 4, "true", "false"),
            "created_at": "2024-03-01T10:00:00",
        }
    )
    again = first.copy()
    change = rng.random(rows) < 0.3
    moved = {"lead": "mql", "mql": "disqualified", "subscriber": "disqualified"}
    new_stage = again["lifecycle_stage"].map(moved).where(change & (kind != 4))
    again["lifecycle_stage"] = new_stage.fillna(again["lifecycle_stage"])
    again["disqualification_reason"] = np.where(
        again["lifecycle_stage"] == "disqualified", "no_need", ""
    )
    paths = folder / "first.csv", folder / "again.csv"
    first.to_csv(paths[0], index=False)
    again.to_csv(paths[1], index=False)
    return paths


def unchecked_plan(
    connection: Connection,
    frames: CanonicalFrames,
    contract: Any,
    vocabulary: Any,
    run_time: datetime,
) -> StagePlan:
    """The pre-contract rule: the file's stage, one history row per changed contact, no check."""
    contacts = frames.contacts
    keys = contacts["external_id"]
    stored = stored_contacts(connection, keys, [])
    held = aligned(stored, keys)
    old = held["lifecycle_stage"].astype(object)
    stage = contacts["lifecycle_stage"].fillna(old).fillna(NEW_STAGE).astype(object)
    changed = (old.isna() | (old != stage)).to_numpy()
    at = pd.to_datetime(contacts["stage_at"]).astype("datetime64[us]")
    steps = pd.DataFrame(
        {
            "contact": keys[changed].to_numpy(),
            "from_stage": old[changed].astype(object).to_numpy(),
            "to_stage": stage[changed].to_numpy(),
            "reason_code": contacts["disqualification_reason"][changed].to_numpy(),
            "note": None,
            "at": at[changed].fillna(pd.Timestamp(run_time)).to_numpy(),
        }
    )
    return StagePlan(stage, steps, pd.DataFrame(columns=["id", "stage"]), stored, held, [])


@contextmanager
def planner(plan: Callable[..., StagePlan], spent: list[float]):
    def timed(*args: Any, **kwargs: Any) -> StagePlan:
        started = time.perf_counter()
        try:
            return plan(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    original = pipeline.plan_stages
    pipeline.plan_stages = timed
    try:
        yield
    finally:
        pipeline.plan_stages = original


def run(folder: Path, files: tuple[Path, Path], name: str, plan: Callable[..., StagePlan]) -> dict:
    engine = make_engine(f"sqlite:///{folder / f'{name}.db'}")
    upgrade(engine)
    profile = load_profile("canonical")
    figures: dict[str, Any] = {}
    for phase, path in zip(("first", "again"), files, strict=True):
        spent: list[float] = []
        with planner(plan, spent):
            started = time.perf_counter()
            result = import_files(engine, profile, [f"contacts={path}"])
            wall = time.perf_counter() - started
        assert result.written is not None
        figures[phase] = {
            "wall_s": round(wall, 2),
            "stage_plan_s": round(sum(spent), 2),
            "history_rows": result.written.lifecycle_events,
        }
    engine.dispose()
    return figures


def _fastest(runs: list[dict]) -> dict:
    """Per phase, the fastest run of a variant (the least disturbed by other load)."""
    return {phase: min((r[phase] for r in runs), key=lambda f: f["wall_s"]) for phase in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant (fastest kept)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        warm = folder / "warm"
        warm.mkdir()
        for plan in (unchecked_plan, plan_stages):  # imports and caches warm before measuring
            run(warm, write_files(warm, 2_000, 1), plan.__name__, plan)
        files = write_files(folder, args.rows, args.seed)
        rounds: dict[str, list[dict]] = {"without": [], "with": []}
        for turn in range(args.repeat):  # alternate, so a burst of load hits both variants
            order = [("without", unchecked_plan), ("with", plan_stages)]
            for name, plan in order if turn % 2 == 0 else order[::-1]:
                rounds[name].append(run(folder, files, f"{name}-{turn}", plan))
                (folder / f"{name}-{turn}.db").unlink()
    without, checked = (_fastest(rounds[name]) for name in ("without", "with"))
    report: dict[str, Any] = {
        "rows": args.rows,
        "repeat": args.repeat,
        "without": without,
        "with": checked,
    }
    for phase in ("first", "again"):
        report[f"{phase}_ratio"] = round(checked[phase]["wall_s"] / without[phase]["wall_s"], 3)
    total = [sum(v[p]["wall_s"] for p in ("first", "again")) for v in (without, checked)]
    report["total_ratio"] = round(total[1] / total[0], 3)
    emit(report, args.json)


if __name__ == "__main__":
    main()
