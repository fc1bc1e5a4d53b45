"""`smarketing import PROFILE FILE... [--report]`: load sources through a mapping profile, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from scoring.cli.app import DATABASE_OPTION, console_error, open_database, stderr, stdout
from scoring.errors import ConfigError, ImportRejected, MappingError
from scoring.sources import ImportResult, import_files, load_profile

PROFILE_ARGUMENT = typer.Argument(
    ...,
    help="A profile name in data/profiles (e.g. uci_bank_marketing) or a path to a YAML profile.",
)
FILES_ARGUMENT = typer.Argument(
    ...,
    help="Sources in the order the profile lists its files, or NAME=PATH; a SQLAlchemy URL for SQL sources.",
)
REPORT_OPTION = typer.Option(False, "--report", help="List every problem and write nothing.")


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr; one task per phase (reading, checking, writing a table)."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def _run(profile: str, files: list[str], report: bool, database: str | None) -> ImportResult:
    spec = load_profile(profile)
    engine = open_database(database, create=True)
    try:
        with _progress_bar() as progress:
            return import_files(engine, spec, files, report=report, progress=progress)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_command(
        profile: str = PROFILE_ARGUMENT,
        files: list[str] = FILES_ARGUMENT,
        report: bool = REPORT_OPTION,
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Import CSV / Parquet / SQL sources through a mapping profile: all rows or none."""
        try:
            result = _run(profile, files, report, database)
        except MappingError as exc:
            console_error(
                escape(f"profile {exc.source} is invalid ({len(exc.problems)} problem(s)):")
            )
            for problem in exc.problems:
                stderr.print(f"  {problem}", highlight=False, soft_wrap=True, markup=False)
            raise typer.Exit(1) from None
        except ImportRejected as exc:
            first, more = exc.problems[0], len(exc.problems) - 1
            tail = f" (and {more:,} more: run with --report to list them)" if more else ""
            console_error(escape(f"{first}{tail}; nothing was imported"))
            raise typer.Exit(1) from None
        except ConfigError as exc:
            console_error(escape(str(exc)))
            raise typer.Exit(1) from None
        if report:
            _print_duplicates(result)
        if report and result.problems:
            for problem in result.problems:
                stdout.print(str(problem), highlight=False, soft_wrap=True, markup=False)
            console_error(f"{len(result.problems):,} problem(s); nothing was written")
            raise typer.Exit(1)
        stdout.print(result.summary(), highlight=False, soft_wrap=True)
        if not report and result.likely_duplicates:
            groups = len(result.likely_duplicates)
            stdout.print(
                f"{groups:,} group(s) of likely duplicates (same text but for spacing or case): "
                "run with --report to list them",
                highlight=False,
                soft_wrap=True,
            )


def _print_duplicates(result: ImportResult) -> None:
    """Values that differ only in spacing or case, with the rows of each spelling (imported as is)."""
    for duplicate in result.likely_duplicates:
        for line in duplicate.lines():
            stdout.print(line, highlight=False, soft_wrap=True, markup=False)
