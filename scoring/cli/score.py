"""`smarketing score`: score every lead, write the scores, move qualifying leads to MQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.errors import ConfigError
from scoring.features.quality import load_competitors
from scoring.handoff.batch import QUALIFIES, score_and_qualify, with_status
from scoring.handoff.scorer import default_pipeline
from scoring.handoff.settings import ServiceSettings
from scoring.rules import load_rulebook
from scoring.rules.publish import published_rulebook

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
            None, "--rulebook", "-r", help="Rulebook file; default: the one in force."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Score all leads; leads that qualify move to MQL through the contract (version stamped) and
        are handed off (rep assigned, outbox row) in the same transaction."""
        if out is not None and out.suffix.lower() not in WRITERS:
            raise ConfigError(f"--out {out}: use a .csv or .parquet file")
        engine = open_database(database)
        try:
            book = load_rulebook(rulebook) if rulebook else published_rulebook(engine).rulebook
            moment = as_of or datetime.now(UTC).replace(tzinfo=None)
            pipeline = default_pipeline(ServiceSettings.from_env())
            with stdout.status(
                f"scoring every lead as of {moment:%Y-%m-%d %H:%M} (rulebook {book.version})"
            ):
                run = score_and_qualify(
                    engine, pipeline, book, as_of=moment, competitor_domains=load_competitors()
                )
        finally:
            engine.dispose()
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            getattr(with_status(run), WRITERS[out.suffix.lower()])(out, index=False)
        mqls = int(run.scores["mql"].sum())
        stdout.print(
            f"{len(run.scores):,} leads scored with rulebook {book.version}: {mqls:,} {QUALIFIES}; "
            f"{run.candidates:,} of them could move to MQL, {len(run.rescored.qualified):,} moved and "
            f"were handed off, {len(run.rescored.blocked):,} blocked (see the signals log)"
            + (f"; scores and each lead's status written to {out}" if out else "")
        )
