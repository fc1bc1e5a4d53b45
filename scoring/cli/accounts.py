"""`smarketing accounts`: accounts ranked by the score rolled up from their contacts."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout


def _cell(value: object, pattern: str = "{}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return escape(pattern.format(value))


def _record(row: dict[Any, Any]) -> dict[str, object]:
    """A JSON-ready row: NaN and NaT become null, times ISO text."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[str(key)] = None
        elif hasattr(value, "isoformat"):
            out[str(key)] = None if str(value) == "NaT" else value.isoformat()
        elif hasattr(value, "item"):
            out[str(key)] = value.item()
        else:
            out[str(key)] = value
    return out


def accounts_command(
    top: int = typer.Option(20, "--top", min=1, help="How many accounts, best first."),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON object per account instead of a table."
    ),
    database: str | None = DATABASE_OPTION,
) -> None:
    """List accounts by account score: best contact's score plus points per buying-group role
    engaged lately (the rulebook's `accounts:` section), with open pipeline and last touch."""
    from scoring.features.quality import load_competitors
    from scoring.policy import in_force
    from scoring.store.accounts import account_table

    engine = open_database(database)
    try:
        rulebook = in_force(engine).rulebook
        moment = datetime.now(UTC).replace(tzinfo=None)
        table = account_table(
            engine, rulebook, as_of=moment, competitor_domains=load_competitors()
        ).head(top)
    finally:
        engine.dispose()
    if as_json:
        for row in table.to_dict(orient="records"):
            typer.echo(json.dumps(_record(row)))
        return
    if not len(table):
        stdout.print("no accounts: import contacts with companies or run `smarketing demo`")
        return
    grid = Table(title=f"top {len(table):,} accounts under rulebook {rulebook.version}")
    grid.add_column("account", no_wrap=True)
    for column in ("score", "best contact", "engaged", "open deals", "pipeline"):
        grid.add_column(column, justify="right")
    grid.add_column("roles engaged")
    for row in table.to_dict(orient="records"):
        grid.add_row(
            _cell(row["account_name"]),
            _cell(row["account_score"], "{:,.1f}"),
            _cell(row["best_contact_score"], "{:,.1f}"),
            _cell(row["engaged_contacts"], "{:,}"),
            _cell(row["open_opportunities"], "{:,}"),
            _cell(row["pipeline_amount"], "{:,.0f}"),
            _cell(row["roles_engaged"]) or "none",
        )
    stdout.print(grid)


def register(app: typer.Typer) -> None:
    app.command("accounts")(accounts_command)
