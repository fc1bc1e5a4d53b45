"""`smarketing sources add|rotate|revoke|list`: who may call the API, with which scopes and secrets.

A secret is printed once, when it is made, and never again; the database keeps only the salt it is
derived from with the server key (scoring.store.credentials).
"""

from __future__ import annotations

import os

import typer
from rich.table import Table

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.db import transaction
from scoring.signals import utcnow
from scoring.store.credentials import (
    DEFAULT_RATE,
    SCOPES,
    add_source,
    drop_previous,
    key_file,
    list_sources,
    revoke,
    rotate,
    server_key,
)

SCOPE_OPTION = typer.Option(..., "--scope", "-s", help=f"Repeat for each: {', '.join(SCOPES)}.")


def _key(create: bool) -> bytes:
    from scoring.errors import ConfigError
    from scoring.settings import Settings

    settings = Settings.from_env()
    key = server_key(os.environ, settings.home, create=create)
    if key is None:
        raise ConfigError(
            f"no server key: set SMARKETING_SECRET_KEY or create {key_file(os.environ, settings.home)}"
            " (the first `smarketing sources add` creates it)"
        )
    return key


def _show_secret(name: str, secret: str) -> None:
    stdout.print(f"secret of {name} (shown this once; store it in the sender's secret manager):")
    typer.echo(secret)


def register(app: typer.Typer) -> None:
    sources_app = typer.Typer(
        help="API sources: scopes, rate limits, secrets.", no_args_is_help=True
    )

    @sources_app.command("add")
    def add_command(
        name: str = typer.Argument(..., help="Source name, as senders put in X-Smarketing-Source."),
        scope: list[str] = SCOPE_OPTION,
        rate: int = typer.Option(DEFAULT_RATE, help="Requests a minute this source may send."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Create a source and print its first secret (once)."""
        key = _key(create=True)
        engine = open_database(database)
        try:
            with transaction(engine) as session:
                secret = add_source(session, key, name, scope, utcnow(), rate_per_minute=rate)
        finally:
            engine.dispose()
        stdout.print(f"source {name}: {', '.join(scope)}, {rate} requests a minute")
        _show_secret(name, secret)

    @sources_app.command("rotate")
    def rotate_command(
        name: str = typer.Argument(..., help="Source name."),
        drop_old: bool = typer.Option(
            False, "--drop-previous", help="Only end the previous secret (senders moved over)."
        ),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """Issue a new secret (the previous one keeps working until the next rotation)."""
        engine = open_database(database)
        try:
            with transaction(engine) as session:
                if drop_old:
                    ended = drop_previous(session, name)
                    stdout.print(f"source {name}: {ended} previous secret(s) ended")
                    return
                secret = rotate(session, _key(create=False), name, utcnow())
        finally:
            engine.dispose()
        stdout.print(f"source {name}: new secret; the previous one stays valid until")
        stdout.print(f"`smarketing sources rotate {name} --drop-previous` or the next rotation")
        _show_secret(name, secret)

    @sources_app.command("revoke")
    def revoke_command(
        name: str = typer.Argument(..., help="Source name."),
        database: str | None = DATABASE_OPTION,
    ) -> None:
        """End every secret of the source: its next request is refused (401)."""
        engine = open_database(database)
        try:
            with transaction(engine) as session:
                revoke(session, name, utcnow())
        finally:
            engine.dispose()
        stdout.print(f"source {name} revoked")

    @sources_app.command("list")
    def list_command(database: str | None = DATABASE_OPTION) -> None:
        """Sources, scopes, limits and secret fingerprints (never the secrets)."""
        engine = open_database(database)
        try:
            with transaction(engine) as session:
                rows = list_sources(session)
        finally:
            engine.dispose()
        table = Table(
            "source", "scopes", "rate/min", "created", "state", "secrets", title="Sources"
        )
        for row in rows:
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            table.add_row(
                row.name,
                " ".join(row.scopes),
                str(row.rate_per_minute),
                f"{row.created_at:%Y-%m-%d %H:%M}",
                state,
                " ".join(row.fingerprints),
            )
        stdout.print(table)

    app.add_typer(sources_app, name="sources")
