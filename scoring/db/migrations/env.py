"""Alembic environment: the engine is handed in by scoring.db.migrate (no alembic.ini URL).

On SQLite, a migration that changes a column rebuilds the table (batch mode: copy, drop, rename).
Dropping a table that other rows refer to fails while foreign keys are enforced, so they are
switched off for the run (SQLite ignores the switch inside a transaction: it happens before) and
every reference is checked before the migration commits.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from scoring.db.models import Base

engine = context.config.attributes["engine"]


def _check_references(connection: Connection) -> None:
    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"migration left {len(broken)} broken reference(s) in {tables}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _check_references(connection)
    finally:
        if sqlite:
            connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.commit()
