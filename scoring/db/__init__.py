"""Storage edge: tables, engine/session factory and migrations."""

from __future__ import annotations

from scoring.db import audit as _audit  # noqa: F401 - registers its tables on the shared metadata
from scoring.db.engine import make_engine, session_factory, transaction
from scoring.db.migrate import upgrade

__all__ = ["make_engine", "session_factory", "transaction", "upgrade"]
