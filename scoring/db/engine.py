"""Engine and session factory: SQLite (WAL, foreign keys on) or any SQLAlchemy URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from scoring.errors import ConfigError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, *, create_folder: bool = True, **kwargs: Any) -> Engine:
    """Create an engine for `url`; SQLite files get WAL, foreign keys and their parent folder.

    Args:
        create_folder: make a SQLite file's missing folder; False refuses it instead (a URL someone
            typed: a typo must not leave a tree of empty folders behind).

    Raises ConfigError for a URL SQLAlchemy cannot parse, whose driver is not installed, or (with
    `create_folder=False`) whose SQLite folder does not exist.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)  # never echo a password
        raise ConfigError(f"database URL {shown!r} is not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _sqlite_folder(Path(parsed.database).expanduser(), create_folder)
    kwargs.setdefault("hide_parameters", True)  # errors and logs never carry row values
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, ArgumentError) as exc:
        raise ConfigError(f"cannot open database URL {parsed!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_folder(path: Path, create: bool) -> None:
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file in the way, a read-only parent
            raise ConfigError(
                f"database file {path}: cannot make its folder {path.parent}: {exc.strerror or exc}"
            ) from None
    elif not path.parent.is_dir():
        raise ConfigError(
            f"database file {path}: the folder {path.parent} does not exist (check the path; "
            "`smarketing db upgrade --database URL` creates a new database there)"
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with session_factory(engine).begin() as session:
        yield session
