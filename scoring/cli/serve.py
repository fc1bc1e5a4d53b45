"""`smarketing serve` (the API with uvicorn) and `smarketing openapi` (the API's document)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scoring.cli.app import DATABASE_OPTION, database_url, open_database, stdout, writing_to

if TYPE_CHECKING:
    from fastapi import FastAPI


class LogLevel(StrEnum):
    """uvicorn's log levels: a typo is refused before the server starts."""

    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"
    trace = "trace"


OPENAPI_WRITE = typer.Option(
    None, "--write", help="Write the document to this file (docs/openapi.json) instead of stdout."
)


API_POOL = 20
"""Database connections a server process keeps open. Its sync routes run on up to 40 threads;
with the default 5, every request beyond them opened (and closed) a connection of its own."""


def app_from_environment() -> FastAPI:
    """The app of one server process, from SMARKETING_* settings (uvicorn's factory)."""
    from scoring.api import create_app
    from scoring.db import make_engine
    from scoring.handoff.settings import ServiceSettings

    engine = make_engine(database_url(None), pool_size=API_POOL, max_overflow=API_POOL)
    return create_app(ServiceSettings.from_env(), engine=engine)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        database: str | None = DATABASE_OPTION,
        host: str | None = typer.Option(None, help="Bind address; default SMARKETING_API_HOST."),
        port: int | None = typer.Option(
            None, min=1, max=65535, help="Port; default SMARKETING_API_PORT."
        ),
        log_level: LogLevel = typer.Option("warning", help="uvicorn log level."),
        workers: int = typer.Option(1, min=1, max=32, help="uvicorn worker processes."),
    ) -> None:
        """Serve the API (events, feedback, HubSpot webhooks, lead lookup) over a migrated database."""
        import uvicorn

        from scoring.handoff.settings import ServiceSettings

        settings = ServiceSettings.from_env()
        engine = open_database(database)  # migrates once, before any worker process starts
        os.environ["SMARKETING_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        bind_host, bind_port = host or settings.host, port or settings.port
        stdout.print(f"smarketing API on http://{bind_host}:{bind_port} (docs at /docs)")
        uvicorn.run(
            "scoring.cli.serve:app_from_environment",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_level=log_level.value,
            access_log=False,
        )

    @app.command("openapi")
    def openapi_command(write: Path | None = OPENAPI_WRITE) -> None:
        """Print (or write) the API's OpenAPI document."""
        from sqlalchemy import create_engine

        from scoring.api import create_app
        from scoring.api.openapi import render

        text = render(create_app(engine=create_engine("sqlite://")))
        if write is None:
            typer.echo(text, nl=False)
        else:
            with writing_to(write):
                write.write_text(text, encoding="utf-8")
            stdout.print(f"wrote {write}")
