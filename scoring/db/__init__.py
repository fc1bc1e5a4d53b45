"""Storage edge: tables, engine/session factory and migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring.db import audit as _audit  # noqa: F401 - registers its tables on the shared metadata
from scoring.db import shadow as _shadow  # noqa: F401 - registers its table on the shared metadata
from scoring.db.engine import make_engine, session_factory, transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["make_engine", "session_factory", "transaction", "upgrade"]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest); see scoring.db.migrate.

    Alembic is imported here, on first use, so that reading or writing tables never loads it.
    """
    from scoring.db.migrate import upgrade as run_migrations

    run_migrations(engine, revision)
