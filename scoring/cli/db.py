"""`smarketing db upgrade` and `smarketing info`."""

from __future__ import annotations

import typer
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.db.inventory import inventory
from scoring.db.migrate import current_revision


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Schema migrations.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade_command(database: str | None = DATABASE_OPTION) -> None:
        """Create or migrate the schema to the newest revision."""
        engine = open_database(database, create=True)
        try:
            stdout.print(f"schema at revision {current_revision(engine)} ({engine.url!r})")
        finally:
            engine.dispose()

    app.add_typer(db_app, name="db")

    @app.command("info")
    def info_command(database: str | None = DATABASE_OPTION) -> None:
        """Counts per table, date ranges, lifecycle stage distribution and disqualification reasons."""
        engine = open_database(database)
        try:
            report = inventory(engine)
        finally:
            engine.dispose()
        counts = Table("table", "rows", "from", "to", title="Tables")
        for row in report.tables:
            counts.add_row(row.table, f"{row.rows:,}", row.first or "", row.last or "")
        stdout.print(counts)
        stages = Table("stage", "contacts", title="Lifecycle stages")
        for stage, n in report.stages:
            stages.add_row(stage, f"{n:,}")
        stdout.print(stages)
        reasons = Table("reason", "disqualifications", title="Disqualification reasons")
        for code, n in report.reasons:
            reasons.add_row(code, f"{n:,}")
        stdout.print(reasons)
