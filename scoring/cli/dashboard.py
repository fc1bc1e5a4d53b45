"""`smarketing dashboard`: make sure the database exists (demo data on first run), then serve Streamlit."""

from __future__ import annotations

import os
import sys

import typer

from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.cli.child import run_child
from scoring.db.inventory import inventory
from scoring.settings import PROJECT_ROOT, Settings

APP = PROJECT_ROOT / "dashboard" / "app.py"


def register(app: typer.Typer) -> None:
    @app.command("dashboard")
    def dashboard_command(
        database: str | None = DATABASE_OPTION,
        port: int = typer.Option(8501, min=1, max=65535, help="Port to serve on (127.0.0.1 only)."),
        demo_leads: int | None = typer.Option(
            None, min=1, help="Leads generated on first run; default SMARKETING_DEMO_LEADS."
        ),
    ) -> None:
        """Serve the dashboard on 127.0.0.1; an empty database is first filled with demo data."""
        settings = Settings.from_env()
        engine = open_database(database, create=True)
        url = engine.url.render_as_string(hide_password=False)
        if inventory(engine).count("contacts") == 0:
            from scoring.sources.demo import generate_demo

            leads = demo_leads or settings.demo_leads
            stdout.print(
                f"empty database: generating {leads:,} demo leads (seed {settings.demo_seed})"
            )
            generate_demo(engine, leads=leads, seed=settings.demo_seed, progress=True)
        engine.dispose()
        stdout.print(f"serving http://127.0.0.1:{port} over {engine.url!r}")
        env = {**os.environ, "SMARKETING_DATABASE_URL": url}
        command = [sys.executable, "-m", "streamlit", "run", str(APP)]
        command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        command += ["--client.toolbarMode", "viewer"]
        raise typer.Exit(run_child(command, env))
