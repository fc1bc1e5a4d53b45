"""The typer application object and the small pieces every command shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scoring.db import make_engine, upgrade
from scoring.errors import ConfigError
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


OPENED: list[str] = []
"""The database URLs this command opened (the last one names the file in a storage error)."""

PASSWORD_WARNING = (
    "--database carries a password, which every user of this machine can read in the process "
    "list (ps); put the URL in SMARKETING_DATABASE_URL or in a file named by "
    "SMARKETING_DATABASE_URL_FILE instead"
)


def database_url(url: str | None) -> str:
    """`--database` (warning when it carries a password) or the configured URL."""
    if url:
        try:
            has_password = bool(make_url(url).password)
        except ArgumentError:
            has_password = False  # make_engine says what is wrong with it
        if has_password:
            stderr.print(
                f"[bold yellow]warning:[/] {PASSWORD_WARNING}", highlight=False, soft_wrap=True
            )
    return url or Settings.from_env().database_url


def open_database(url: str | None, *, migrate: bool = True, create: bool = False) -> Engine:
    """Engine for `url` (or the configured default), migrated to the newest schema.

    The configured database's folder is made when missing. A `--database` file's folder must exist
    (a typo names one), unless the command `create`s databases (`db upgrade`, `demo`, `import`,
    `dashboard`).
    """
    chosen = database_url(url)
    OPENED.append(chosen)
    engine = make_engine(chosen, create_folder=create or url is None)
    if migrate:
        upgrade(engine)
    return engine


@contextmanager
def writing_to(path: Path) -> Iterator[Path]:
    """Run the block that writes `path` (a file or a folder); when the system refuses (a missing or
    read-only folder, a file where a folder should be, a full disk) say so in one line, naming the
    path and the reason, instead of a traceback.

        with writing_to(out):
            frame.to_csv(out)
    """
    try:
        yield path
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write there: {_refusal(path, exc)}") from None


def _refusal(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        in_the_way = next((p for p in (path, *path.parents) if p.exists()), None)
        if in_the_way is not None and not in_the_way.is_dir():
            return f"{in_the_way} is a file, not a folder"
    if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    return exc.strerror or str(exc)
