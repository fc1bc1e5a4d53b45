"""`smarketing objectives check`: every revenue objective's status, budget left and burn rate."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.objectives import evaluate, load_objectives
from scoring.settings import DEFAULTS
from scoring.signals import utcnow
from scoring.store.history import stage_history

OBJECTIVES_OPTION = typer.Option(
    DEFAULTS / "objectives.yaml", "--objectives", help="The objectives file."
)


def register(app: typer.Typer) -> None:
    objectives_app = typer.Typer(
        help="Revenue objectives and their error budgets.", no_args_is_help=True
    )

    @objectives_app.command("check")
    def check_command(
        at: datetime | None = typer.Option(
            None,
            "--at",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            help="Instant to judge (UTC); default now.",
        ),
        objectives: Path = OBJECTIVES_OPTION,
        horizon: int = typer.Option(28, "--horizon", min=1, help="Days of daily windows judged."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Print each objective's status; exit 1 when one is breached (for cron and CI)."""
        declared = load_objectives(objectives)
        when = at or utcnow()
        events = stage_history(open_database(database), ["mql", "sal"])
        statuses = evaluate(declared, events, when, horizon_days=horizon)
        table = Table(
            "objective",
            "status",
            "current",
            "budget left",
            "burn rate",
            "missed windows",
            title=f"objectives at {when:%Y-%m-%d %H:%M}",
        )
        for status in statuses:
            table.add_row(
                status.name,
                "[red]BREACHED[/]" if status.breached else "[green]ok[/]",
                f"{status.current:.3g}",
                f"{status.budget_left:.0%}",
                f"{status.burn_rate:.2f}",
                f"{status.missed}/{status.windows}",
            )
        stdout.print(table)
        if any(s.breached for s in statuses):
            raise typer.Exit(1)

    app.add_typer(objectives_app, name="objectives")
