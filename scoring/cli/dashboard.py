"""`smarketing dashboard`: make sure the database exists (demo data on first run), then serve Streamlit.

Without sign-in the dashboard is single-user and serves 127.0.0.1 only: any other `--address` is
refused with the setting to add. Sign-in comes from an `[auth]` section of Streamlit's secrets
(`.streamlit/secrets.toml` here, in the home folder, or beside dashboard/app.py) or from the
SMARKETING_AUTH_* settings, which are handed to Streamlit as a private secrets file (mode 600, in
a mode-700 folder under SMARKETING_HOME, where no /tmp cleaner removes it while Streamlit runs;
removed when the dashboard stops). Which mode the dashboard is in is decided here, once, and
handed to the Streamlit child as SMARKETING_SIGNIN: with sign-in on, a secrets file that becomes
unreadable later stops the app with an error instead of opening it to everyone.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from scoring.access import auth_from_settings, auth_problems, auth_toml, is_loopback, refusal
from scoring.access.signin import SIGNIN_SETTING
from scoring.cli.app import DATABASE_OPTION, open_database, stdout
from scoring.cli.child import run_child
from scoring.db.inventory import inventory
from scoring.errors import ConfigError
from scoring.settings import PROJECT_ROOT, Settings

APP = PROJECT_ROOT / "dashboard" / "app.py"


def secrets_files() -> list[Path]:
    """Where Streamlit looks for secrets when it serves dashboard/app.py, later ones winning."""
    return [
        Path.home() / ".streamlit" / "secrets.toml",
        Path.cwd() / ".streamlit" / "secrets.toml",
        APP.parent / ".streamlit" / "secrets.toml",
    ]


def _auth_in_files(files: list[Path]) -> dict[str, Any] | None:
    section: dict[str, Any] | None = None
    for path in files:
        if not path.is_file():
            continue
        try:
            found = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the secrets file: {exc}") from None
        if isinstance(found, dict):
            section = {**(section or {}), **found}
    return section


def signin_section(settings: Settings, files: list[Path]) -> tuple[dict[str, Any] | None, bool]:
    """The [auth] section the dashboard will sign people in with (None: single-user mode), and
    whether it comes from the SMARKETING_AUTH_* settings; ConfigError when it is incomplete."""
    from_settings = auth_from_settings(settings.extra, cookie_secret=secrets.token_urlsafe(32))
    section = from_settings or _auth_in_files(files)
    if section is not None and (problems := auth_problems(section)):
        raise ConfigError(f"sign-in is configured but incomplete: {'; '.join(problems)}")
    return section, from_settings is not None


def _files_options(files: list[Path]) -> list[str]:
    options: list[str] = []
    for path in files:
        options += ["--secrets.files", str(path)]
    return options


@contextmanager
def private_secrets(
    section: dict[str, Any] | None, from_settings: bool, home: Path
) -> Iterator[list[str]]:
    """Streamlit options naming the secrets files it reads [auth] from: the ones this command
    checked, and for a settings-made section a private file after them, in a fresh mode-700 folder
    under `home`/run (not /tmp, whose cleaners may remove it while Streamlit runs), removed folder
    and all when the block ends. None without sign-in."""
    if section is None:
        yield []
        return
    if not from_settings:
        yield _files_options(secrets_files())
        return
    run = home / "run"
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="auth-", dir=run))  # mode 700
    try:
        path = folder / "secrets.toml"
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(auth_toml(section))
        yield _files_options([*secrets_files(), path])  # the usual files still apply; ours last
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def register(app: typer.Typer) -> None:
    @app.command("dashboard")
    def dashboard_command(
        database: str | None = DATABASE_OPTION,
        address: str = typer.Option(
            "127.0.0.1",
            help="Address to serve on. Anything but 127.0.0.1 (or another loopback address) "
            "needs sign-in (docs/deployment.md).",
        ),
        port: int = typer.Option(8501, min=1, max=65535, help="Port to serve on."),
        demo_leads: int | None = typer.Option(
            None, min=1, help="Leads generated on first run; default SMARKETING_DEMO_LEADS."
        ),
    ) -> None:
        """Serve the dashboard (single-user on 127.0.0.1 unless sign-in is configured); an empty
        database is first filled with demo data."""
        settings = Settings.from_env()
        section, from_settings = signin_section(settings, secrets_files())
        if section is None and not is_loopback(address):
            raise ConfigError(refusal(address))
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
        mode = "sign-in on" if section else "single-user mode, no sign-in"
        stdout.print(f"serving http://{address}:{port} ({mode}) over {engine.url!r}")
        env = {
            **os.environ,
            "SMARKETING_DATABASE_URL": url,
            SIGNIN_SETTING: "1" if section else "0",
        }
        command = [sys.executable, "-m", "streamlit", "run", str(APP)]
        command += ["--server.address", address, "--server.port", str(port)]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        command += ["--client.toolbarMode", "viewer"]
        with private_secrets(section, from_settings, settings.home) as options:
            code = run_child([*command, *options], env)
        raise typer.Exit(code)
