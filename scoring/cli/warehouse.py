"""`smarketing warehouse score|export|dbt`: features and scores computed where the data lives."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer

from scoring.cli.app import DATABASE_OPTION, open_database, stdout, writing_to
from scoring.features.quality import load_competitors
from scoring.policy import published_rulebook
from scoring.rules import load_rulebook
from scoring.rules.spec import Rulebook
from scoring.warehouse.dbt import write_dbt_project
from scoring.warehouse.dialects import TARGETS, render
from scoring.warehouse.export import export_parquet
from scoring.warehouse.run import ENGINES, SCORES_FILE, open_engine, scores_select

EngineName = StrEnum("EngineName", {name: name for name in ENGINES})  # type: ignore[misc]
Dialect = StrEnum("Dialect", {name: name for name in TARGETS})  # type: ignore[misc]
RULEBOOK_OPTION = typer.Option(
    None,
    "--rulebook",
    "-r",
    help="Rulebook file; default: the one in force in --database (or the shipped default).",
)
AS_OF_OPTION = typer.Option(None, "--as-of", help="Features as of this time (UTC); default now.")


def _rulebook(path: Path | None, database: str | None) -> Rulebook:
    if path is not None:
        return load_rulebook(path)
    if database is None:
        return load_rulebook()
    engine = open_database(database)
    try:
        return published_rulebook(engine).rulebook
    finally:
        engine.dispose()


def _moment(as_of: datetime | None) -> datetime:
    return (as_of or datetime.now(UTC)).replace(tzinfo=None)


def register(app: typer.Typer) -> None:
    warehouse_app = typer.Typer(
        help="Features and scores compiled to SQL and run inside DuckDB, PostgreSQL, SQLite or "
        "Spark, or written as a dbt project.",
        no_args_is_help=True,
    )
    app.add_typer(warehouse_app, name="warehouse")

    @warehouse_app.command("score")
    def score_command(
        engine: EngineName = typer.Option(..., "--engine", help="Where the SQL runs."),
        source: str = typer.Option(
            ..., "--source", help="Folder of Parquet files (duckdb, spark) or database URL."
        ),
        out: str | None = typer.Option(
            None,
            "--out",
            help=f"Folder (writes {SCORES_FILE}) or, on postgresql/sqlite, a table name.",
        ),
        as_of: datetime | None = AS_OF_OPTION,
        rulebook: Path | None = RULEBOOK_OPTION,
        database: str | None = DATABASE_OPTION,
        explain: bool = typer.Option(False, "--explain", help="Print the SQL and run nothing."),
    ) -> None:
        """Build the features as of --as-of and score every lead inside the engine; the scores carry
        the rulebook version (columns as `smarketing score --out FILE`)."""
        book = _rulebook(rulebook, database)
        moment = _moment(as_of)
        statement = scores_select(book, moment, competitor_domains=load_competitors())
        if explain:
            print(render(statement, engine.value))
            return
        if out is None:
            raise typer.BadParameter("give --out (or --explain)", param_hint="--out")
        with (
            stdout.status(f"scoring in {engine.value} as of {moment:%Y-%m-%d %H:%M}"),
            open_engine(engine.value, source) as running,
            writing_to(Path(out)),
        ):
            written = running.write(statement, out)
        stdout.print(f"scores of rulebook {book.version} as of {moment:%Y-%m-%d %H:%M} → {written}")

    @warehouse_app.command("export")
    def export_command(
        out: Path = typer.Option(..., "--out", help="Folder for the Parquet files."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Write contacts, accounts, campaigns and touches as Parquet (what --source DIR reads)."""
        engine = open_database(database)
        try:
            with stdout.status(f"exporting to {out}"), writing_to(out):
                done = export_parquet(engine, out)
        finally:
            engine.dispose()
        for item in done:
            stdout.print(f"{item.table}: {item.rows:,} rows → {item.path}")

    @warehouse_app.command("dbt")
    def dbt_command(
        folder: Path = typer.Argument(..., help="Folder for the dbt project."),
        as_of: datetime | None = AS_OF_OPTION,
        rulebook: Path | None = RULEBOOK_OPTION,
        database: str | None = DATABASE_OPTION,
        dialect: Dialect = typer.Option("duckdb", "--dialect", help="SQL dialect of the models."),
        parquet: Path | None = typer.Option(
            None, "--parquet", help="Sources are this folder's Parquet files (dbt-duckdb)."
        ),
    ) -> None:
        """Write a dbt project: sources, a features model, a scores model and their tests."""
        book = _rulebook(rulebook, database)
        with writing_to(folder):
            files = write_dbt_project(
                folder,
                book,
                _moment(as_of),
                dialect=dialect.value,
                parquet=parquet,
                competitor_domains=load_competitors(),
            )
        stdout.print(f"dbt project for rulebook {book.version}: {len(files)} files in {folder}")
