"""Benchmark of the demo data generator (scoring.sources.demo).

    python benchmarks/bench_demo.py --leads 1000000 --json var/bench_demo.json [--seed 7]

Generates the demo into a fresh temporary SQLite file (the embedded default) and measures:
  wall_s        wall time of generate_demo (simulation, encoding, bulk write, index builds, commit)
  cpu_s         CPU seconds (user + system)
  peak_rss_mb   peak resident memory (of this process, or of a child if one were larger)
  oracle_auc_won  ROC AUC of the hidden propensity for "won" (stage customer) over all leads: how
                learnable outcomes are for a perfect model of the hidden world (target 0.80-0.92)
and prints, per campaign, leads, MQL reviews, acceptance (MQL -> SAL) and the top reasons sales gave.
Baseline: `smarketing demo --leads 1000000` must finish within 60 s on the 2-core reference machine.
The machine is shared, so the 1-minute load average is recorded next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from sklearn.metrics import roc_auc_score
from sqlalchemy import Engine, func, select

from scoring.db import make_engine, upgrade
from scoring.db.models import Campaign, Contact, LifecycleEvent
from scoring.sources.demo import generate_demo, simulate


def _cpu_seconds() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def _peak_rss_mb() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return max(u.ru_maxrss for u in usage) / 1024  # Linux reports KiB


def oracle_auc(leads: int, seed: int) -> float:
    """AUC of the hidden propensity for won, chunk by chunk (the simulation is deterministic)."""
    propensity, won = [], []
    for chunk in simulate(leads, seed).chunks():
        propensity.append(chunk.contacts["propensity"].to_numpy())
        won.append((chunk.contacts["lifecycle_stage"] == "customer").to_numpy())
    return float(roc_auc_score(np.concatenate(won), np.concatenate(propensity)))


def _top_reasons(rejections: pd.DataFrame) -> str:
    """The three most cited reasons of one campaign's rejections with their shares ("bad_fit 40%")."""
    total = rejections["n"].sum()
    top = rejections.head(3)
    return ", ".join(
        f"{reason} {n / total:.0%}" for reason, n in zip(top["reason_code"], top["n"], strict=True)
    )


def campaign_table(engine: Engine) -> pd.DataFrame:
    """Per campaign from the database: leads, reviewed MQLs, acceptance, top disqualifications."""
    leads = (
        select(Campaign.code.label("campaign"), func.count().label("leads"))
        .join(Contact, Contact.original_campaign_id == Campaign.id)
        .group_by(Campaign.code)
    )
    reviews = (
        select(Campaign.code.label("campaign"), LifecycleEvent.to_stage, LifecycleEvent.reason_code)
        .join(Contact, Contact.original_campaign_id == Campaign.id)
        .join(LifecycleEvent, LifecycleEvent.contact_id == Contact.id)
        .where(LifecycleEvent.from_stage == "mql")
        .add_columns(func.count().label("n"))
        .group_by(Campaign.code, LifecycleEvent.to_stage, LifecycleEvent.reason_code)
    )
    with engine.connect() as connection:
        table = pd.read_sql(leads, connection).set_index("campaign")
        moves = pd.read_sql(reviews, connection)
    table["reviewed"] = moves.groupby("campaign")["n"].sum()
    accepted = moves[moves["to_stage"] == "sal"].groupby("campaign")["n"].sum()
    table["acceptance"] = accepted.reindex(table.index).fillna(0) / table["reviewed"]
    rejected = moves[moves["to_stage"] == "disqualified"].sort_values("n", ascending=False)
    table["top_reasons"] = pd.Series(
        {campaign: _top_reasons(group) for campaign, group in rejected.groupby("campaign")}
    )
    return table.sort_values("acceptance", ascending=False)


def show(table: pd.DataFrame) -> None:
    out = Table("campaign", "leads", "reviewed", "acceptance", "top disqualification reasons")
    for code, row in table.iterrows():
        out.add_row(
            str(code),
            f"{row['leads']:,}",
            f"{row['reviewed']:,.0f}",
            f"{row['acceptance']:.0%}",
            str(row["top_reasons"]),
        )
    Console(width=160).print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'demo.db'}")
        upgrade(engine)
        load_average = os.getloadavg()[0]
        cpu, started = _cpu_seconds(), time.perf_counter()
        report = generate_demo(engine, leads=args.leads, seed=args.seed, progress=True)
        wall = time.perf_counter() - started
        figures = {
            "leads": args.leads,
            "wall_s": round(wall, 2),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "cpu_s": round(_cpu_seconds() - cpu, 2),
            "load_average_1m": round(load_average, 2),
            "rows": report.rows,
        }
        show(campaign_table(engine))
        engine.dispose()
    figures["oracle_auc_won"] = round(oracle_auc(args.leads, args.seed), 4)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
