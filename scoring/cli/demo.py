"""`smarketing demo`: generate a realistic, deterministic demo funnel into a database."""

from __future__ import annotations

import typer
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        leads: int | None = typer.Option(
            None, "--leads", "-n", min=1, help="Number of leads; default SMARKETING_DEMO_LEADS."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Random seed (same seed, same rows); default SMARKETING_DEMO_SEED."
        ),
        database: str | None = DATABASE_OPTION,
        replace: bool = typer.Option(
            False, "--replace", help="Empty every canonical table first instead of refusing."
        ),
    ) -> None:
        """Generate demo leads, accounts, campaigns, touches, lifecycle history and deals."""
        from scoring.sources.demo import generate_demo

        settings = Settings.from_env()
        engine = open_database(database, create=True)
        try:
            report = generate_demo(
                engine,
                leads=leads or settings.demo_leads,
                seed=settings.demo_seed if seed is None else seed,
                replace=replace,
                progress=True,
            )
        finally:
            engine.dispose()
        table = Table("table", "rows", title=f"Demo data (seed {report.seed})")
        for name, rows in report.rows.items():
            table.add_row(name, f"{rows:,}")
        stdout.print(table)
        stdout.print(f"{report.leads:,} leads in {report.seconds:.1f} s into {engine.url!r}")
