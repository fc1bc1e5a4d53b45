"""`smarketing score`: score every lead, store every score, move qualifying leads to MQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer
from sqlalchemy import Engine

from scoring.cli.app import DATABASE_OPTION, open_database, stdout, writing_to
from scoring.errors import ConfigError
from scoring.features.quality import load_competitors
from scoring.handoff.batch import QUALIFIES, current_stages, score_and_qualify, with_status
from scoring.handoff.scorer import pipeline_for
from scoring.handoff.settings import ServiceSettings
from scoring.policy import in_force
from scoring.rules import Rulebook, evaluate_hits, load_rulebook, score
from scoring.store.features import read_features

WRITERS = {".csv": "to_csv", ".parquet": "to_parquet"}


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score_command(
        as_of: datetime | None = typer.Option(
            None, "--as-of", help="Score as of this time (UTC); default now."
        ),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="Write every lead's score to FILE.csv or FILE.parquet."
        ),
        rulebook: Path | None = typer.Option(
            None,
            "--rulebook",
            "-r",
            help="Dry run with this rulebook file: scores go to --out only, nothing is stored.",
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Score all leads with the rulebook in force and store every score (versions and as-of
        stamped); leads that qualify move to MQL through the contract and are handed off (rep
        assigned, outbox row) in the same transaction."""
        if out is not None and out.suffix.lower() not in WRITERS:
            raise ConfigError(f"--out {out}: use a .csv or .parquet file")
        if rulebook is not None and out is None:
            raise ConfigError("--rulebook is a dry run: name the file to write with --out")
        moment = as_of or datetime.now(UTC).replace(tzinfo=None)
        engine = open_database(database)
        try:
            if rulebook is not None and out is not None:
                _dry_run(engine, load_rulebook(rulebook), moment, out)
                return
            policy = in_force(engine)
            pipeline = pipeline_for(policy, ServiceSettings.from_env())
            with stdout.status(
                f"scoring every lead as of {moment:%Y-%m-%d %H:%M} (rulebook {policy.rulebook.version})"
            ):
                run = score_and_qualify(
                    engine,
                    pipeline,
                    policy.rulebook,
                    as_of=moment,
                    competitor_domains=load_competitors(),
                )
            stages = current_stages(engine) if out is not None else None
        finally:
            engine.dispose()
        if out is not None:
            _write(with_status(run, stages), out)
        mqls = int(run.scores["mql"].sum())
        stdout.print(
            f"{len(run.scores):,} leads scored and stored with rulebook {policy.rulebook.version} "
            f"(contract {policy.contract.version}): {mqls:,} {QUALIFIES}; {run.candidates:,} of "
            f"them could move to MQL, {len(run.rescored.qualified):,} moved and were handed off, "
            f"{len(run.rescored.blocked):,} blocked (see the signals log)"
            + (f"; scores and each lead's status written to {out}" if out else "")
        )


def _write(scores: pd.DataFrame, out: Path) -> None:
    with writing_to(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        getattr(scores, WRITERS[out.suffix.lower()])(out, index=False)


def _dry_run(engine: Engine, book: Rulebook, moment: datetime, out: Path) -> None:
    leads = read_features(engine, as_of=moment, competitor_domains=load_competitors())
    frame = score(evaluate_hits(book, leads)).frame()
    _write(frame, out)
    stdout.print(
        f"{len(frame):,} leads scored with rulebook file {book.version} (dry run, nothing stored): "
        f"{int(frame['mql'].sum()):,} at or above the threshold; scores written to {out}"
    )
