"""`smarketing whatif | mql-list`: the threshold what-if over history and the MQL list, from the command line."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout, writing_to
from scoring.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scoring.rules import Rulebook

RULEBOOK_OPTION = typer.Option(
    None, "--rulebook", "-r", help="Rulebook file; default: the one in force."
)


def parse_thresholds(text: str) -> list[float]:
    """'20,30,40' -> [20.0, 30.0, 40.0]; one clear error for anything else."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise ConfigError(
            f"--thresholds {text!r}: give numbers separated by commas, e.g. 20,30,40"
        ) from None
    if not values or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"--thresholds {text!r}: give numbers separated by commas, e.g. 20,30,40")
    return values


def _rulebook(engine: Engine, path: Path | None) -> Rulebook:
    from scoring.policy import in_force
    from scoring.rules import load_rulebook

    if path is not None:
        return load_rulebook(path)
    return in_force(engine).rulebook


def _cell(value: object, pattern: str = "{:,.0f}") -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    return pattern.format(value)


def whatif_command(
    thresholds: str = typer.Option(
        ..., "--thresholds", help="Thresholds to replay, e.g. 20,30,40."
    ),
    rulebook: Path | None = RULEBOOK_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per threshold)."),
    decision_days: float = typer.Option(
        14, "--decision-days", help="Leads are seen as they were this many days after creation."
    ),
    database: str | None = DATABASE_OPTION,
) -> None:
    """Replay history at each threshold: MQLs, MQLs/week, wins captured, precision, recall, blocked."""
    from scoring.features.quality import load_competitors
    from scoring.handoff.lists import weekly_capacity
    from scoring.learn.targets import happened
    from scoring.rules import evaluate_hits, score
    from scoring.rules.thresholds import gate_counts, has_dates, threshold_table
    from scoring.training_data import database_leads

    values = parse_thresholds(thresholds)
    engine = open_database(database)
    try:
        book = _rulebook(engine, rulebook)
        leads = database_leads(
            engine, decision_days=decision_days, competitor_domains=load_competitors()
        )
        capacity = weekly_capacity(engine)
    finally:
        engine.dispose()
    scores = score(evaluate_hits(book, leads))
    won = happened(leads, "won_at")
    created = leads["created_at"].to_numpy(dtype="datetime64[ns]")
    table = threshold_table(scores, won, values, created_at=created, weekly_capacity=capacity)
    gates = {t: gate_counts(scores, t) for t in values}
    if as_json:
        rows = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            | {"blocked_by_gate": gates[row["threshold"]]}
            for row in table.to_dict("records")
        ]
        document = {"rulebook": scores.version, "leads": len(leads), "wins": int(won.sum()),
                    "weekly_capacity": capacity, "thresholds": rows}  # fmt: skip
        print(json.dumps(document, indent=2))
        return
    _print_table(table, scores.version, len(leads), int(won.sum()), capacity)
    for t, counts in gates.items():
        if counts:
            shown = ", ".join(f"{gate} {n:,}" for gate, n in counts.items())
            stdout.print(f"at {t:g}: blocked by gates: {shown}", highlight=False)
    if not has_dates(created):
        stdout.print(
            "MQLs/week n/a: the leads' creation dates span under two weeks (an import without dates)",
            highlight=False,
        )


def _print_table(table: object, version: str, leads: int, wins: int, capacity: float) -> None:
    shown = Table(
        "threshold", "MQLs", "per week", "won", "precision", "recall",
        "gate-blocked", "over capacity",
        title=f"{leads:,} leads, {wins:,} won, rulebook {version}, reps' capacity {capacity:,.0f}/week",
    )  # fmt: skip
    for row in table.to_dict("records"):  # type: ignore[attr-defined]
        shown.add_row(
            f"{row['threshold']:g}",
            f"{row['mqls']:,}",
            _cell(row["mqls_per_week"], "{:,.1f}"),
            f"{row['won']:,}",
            _cell(row["precision"], "{:.1%}"),
            _cell(row["recall"], "{:.1%}"),
            f"{row['blocked_by_gates']:,}",
            _cell(row["over_capacity"]),
        )
    stdout.print(shown)


def mql_list_command(
    out: Path = typer.Option(..., "--out", "-o", help="FILE.csv, FILE.xlsx or FILE.parquet."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="A proposed threshold; default: the rulebook's."
    ),
    rulebook: Path | None = RULEBOOK_OPTION,
    as_of: datetime | None = typer.Option(None, "--as-of", help="Score as of (UTC); default now."),
    database: str | None = DATABASE_OPTION,
) -> None:
    """Write the MQLs (or would-be MQLs) with name, e-mail, company, owner, score, reasons, gates."""
    from scoring.exports import WRITERS, write_table
    from scoring.features.quality import load_competitors
    from scoring.handoff.lists import mql_list, status_counts

    if out.suffix.lower() not in WRITERS:
        raise ConfigError(f"--out {out}: use a .csv, .parquet or .xlsx file")
    if threshold is not None and not math.isfinite(threshold):
        raise ConfigError(f"--threshold {threshold}: give a number")
    engine = open_database(database)
    try:
        book = _rulebook(engine, rulebook)
        moment = as_of or datetime.now(UTC).replace(tzinfo=None)
        listed = mql_list(
            engine,
            book,
            as_of=moment,
            threshold=threshold,
            competitor_domains=load_competitors(),
        )
    finally:
        engine.dispose()
    with writing_to(out):
        write_table(listed, out)
    counts = ", ".join(f"{n:,} {status}" for status, n in status_counts(listed).items())
    stdout.print(
        escape(
            f"{len(listed):,} leads at or above the threshold ({counts or 'none'}) written to {out}"
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("whatif")(whatif_command)
    app.command("mql-list")(mql_list_command)
