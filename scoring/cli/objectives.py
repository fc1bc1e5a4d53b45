"""`smarketing objectives check`: every revenue objective's status, budget left and burn rate."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.handoff.alerts import queue_alerts
from scoring.handoff.settings import ServiceSettings
from scoring.health import health_history
from scoring.objectives import Status, evaluate, load_objectives
from scoring.settings import DEFAULTS
from scoring.signals import utcnow

OBJECTIVES_OPTION = typer.Option(
    DEFAULTS / "objectives.yaml", "--objectives", help="The objectives file."
)


def _verdict(status: Status) -> str:
    # causes carry campaign names and rule ids as imported: text, never rich markup
    cause = f" ({escape(status.cause)})" if status.cause else ""
    if status.no_data:
        return "[yellow]no data[/]"
    return f"[red]BREACHED[/]{cause}" if status.breached else f"[green]ok[/]{cause}"


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
        settings = ServiceSettings.from_env()
        when = at or utcnow()
        engine = open_database(database)
        statuses = evaluate(declared, health_history(engine), when, horizon_days=horizon)
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
                _verdict(status),
                "–" if status.current != status.current else f"{status.current:.3g}",
                f"{status.budget_left:.0%}",
                f"{status.burn_rate:.2f}",
                f"{status.missed}/{status.windows}",
            )
        stdout.print(table)
        for status in statuses:
            if status.cause and (status.no_data or status.breached):
                said = f"{status.name}: {status.state} ({status.cause})"
                stdout.print(escape(said), soft_wrap=True, highlight=False)
        if settings.alert_webhook_url:
            queued = queue_alerts(
                engine, statuses, at=when, now=utcnow(), policy=settings.retry_policy()
            )
            for alert in queued:
                stdout.print(f"alert queued: {alert.objective} {alert.kind}")
        if any(s.breached for s in statuses):
            raise typer.Exit(1)

    app.add_typer(objectives_app, name="objectives")
