"""`smarketing reps`: the sales roster with team, office, open MQLs and weekly capacity."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.handoff.roster import roster


def _cell(value: object) -> str:
    return "" if value is None else escape(str(value))


def reps_command(
    office: str | None = typer.Option(None, "--office", help="Only the reps of this office."),
    team: str | None = typer.Option(None, "--team", help="Only the reps of this team."),
    active: bool = typer.Option(False, "--active", help="Only active reps."),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON object per rep instead of a table."
    ),
    database: str | None = DATABASE_OPTION,
) -> None:
    """List reps with team, office, open MQLs (owned, waiting at mql) and this week's capacity."""
    engine = open_database(database)
    try:
        reps = roster(
            engine,
            now=datetime.now(UTC).replace(tzinfo=None),
            office=office,
            team=team,
            active_only=active,
        )
    finally:
        engine.dispose()
    if as_json:
        for row in reps.to_dict(orient="records"):
            typer.echo(json.dumps(row, default=str))
        return
    if not len(reps):
        stdout.print(
            "no reps: import a roster (a profile with rep.* targets) or run `smarketing demo`"
        )
        return
    table = Table(title=f"{len(reps):,} reps")
    for column in ("name", "team", "office", "active"):
        table.add_column(column, no_wrap=column == "name")
    for column in ("open MQLs", "this week", "capacity"):
        table.add_column(column, justify="right")
    for row in reps.to_dict(orient="records"):
        table.add_row(
            _cell(row["name"]),
            _cell(row["team"]),
            _cell(row["office"]),
            "yes" if row["active"] else "no",
            f"{row['open_mqls']:,}",
            f"{row['assigned_this_week']:,}",
            f"{row['weekly_capacity']:,}",
        )
    stdout.print(table)


def register(app: typer.Typer) -> None:
    app.command("reps")(reps_command)
