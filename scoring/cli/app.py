"""The typer application object and the small pieces every command shares."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import Engine

from scoring.db import make_engine, upgrade
from scoring.settings import Settings

app = typer.Typer(
    name="smarketing",
    help="Lead-to-revenue engine: data, lifecycle contract, rulebook, model, handoff.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
stdout = Console()
stderr = Console(stderr=True)

DATABASE_OPTION = typer.Option(
    None,
    "--database",
    "-d",
    help="SQLAlchemy URL; default: SMARKETING_DATABASE_URL or the embedded SQLite file.",
)


def console_error(message: str) -> None:
    stderr.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


def database_url(url: str | None) -> str:
    return url or Settings.from_env().database_url


def open_database(url: str | None, *, migrate: bool = True) -> Engine:
    """Engine for `url` (or the configured default), migrated to the newest schema."""
    engine = make_engine(database_url(url))
    if migrate:
        upgrade(engine)
    return engine
