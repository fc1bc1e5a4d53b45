"""Bulk writers for encoded batches: SQLite multi-row INSERT, PostgreSQL COPY, others through Core.

A load runs on one connection inside one transaction, so a failed load leaves the database as it
was. On SQLite, foreign-key enforcement and fsync are relaxed for the load and secondary indexes
are dropped and rebuilt once at the end (sorting once beats millions of random index updates);
everything is restored before the connection goes back to the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, delete, literal, select

from scoring.db.models import Base
from scoring.errors import DataError, Problem
from scoring.sources.demo.encode import Batch

_ROWS_PER_STATEMENT = 200
_MAX_VARIABLES = 32_766  # SQLite >= 3.32


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


class Load:
    """Writes batches through SQLAlchemy Core (portable; subclasses use the raw driver)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.counts: dict[str, int] = {}

    def write(self, batch: Batch) -> None:
        self.counts[batch.table] = self.counts.get(batch.table, 0) + batch.rows
        if batch.rows:
            self._write(batch)

    def _write(self, batch: Batch) -> None:
        width = len(batch.columns)
        records = [
            dict(zip(batch.columns, batch.values[i : i + width], strict=True))
            for i in range(0, len(batch.values), width)
        ]
        self.connection.execute(Base.metadata.tables[batch.table].insert(), records)

    def prepare(self, tables: Iterable[str]) -> None:
        """Called once the target tables are known to be empty."""

    def finish(self) -> None:
        """Called after the last batch, inside the transaction."""


class SqliteLoad(Load):
    """Multi-row INSERT statements on the raw sqlite3 connection."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.raw: Any = connection.connection.driver_connection
        self.deferred: list[tuple[str, str]] = []

    def prepare(self, tables: Iterable[str]) -> None:
        names = list(tables)
        marks = ", ".join("?" for _ in names)
        self.deferred = self.raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",
            names,
        ).fetchall()
        for index, _ in self.deferred:
            self.raw.execute(f'DROP INDEX "{index}"')

    def _write(self, batch: Batch) -> None:
        # Multi-row VALUES: a CHECK with an IN list is set up once per statement rather than once
        # per row as with single-row executemany (about half the CPU per row).
        width = len(batch.columns)
        per = max(1, min(_ROWS_PER_STATEMENT, _MAX_VARIABLES // width))
        head = f'INSERT INTO "{batch.table}" ({_quoted(batch.columns)}) VALUES '
        row = "(" + ", ".join("?" * width) + ")"
        step = per * width
        values = batch.values
        full = len(values) // step
        if full:
            statements = (values[i * step : (i + 1) * step] for i in range(full))
            self.raw.executemany(head + ", ".join([row] * per), statements)
        rest = values[full * step :]
        if rest:
            self.raw.execute(head + ", ".join([row] * (len(rest) // width)), rest)

    def finish(self) -> None:
        for _, sql in self.deferred:
            self.raw.execute(sql)
        # Foreign keys were not enforced row by row; one check of the loaded tables (about a second
        # for a million leads) still refuses to commit a dangling reference.
        dangling = [
            Problem(f"{table} row {rowid}", f"references a missing {parent} row")
            for name in self.counts
            for table, rowid, parent, _ in self.raw.execute(f'PRAGMA foreign_key_check("{name}")')
        ]
        if dangling:
            raise DataError(dangling[:20], source="demo load")


class PostgresLoad(Load):
    """COPY ... FROM STDIN on the raw psycopg connection; id sequences move past the ids at the end."""

    def _write(self, batch: Batch) -> None:
        width = len(batch.columns)
        raw: Any = self.connection.connection.driver_connection
        sql = f'COPY "{batch.table}" ({_quoted(batch.columns)}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            values = batch.values
            for i in range(0, len(values), width):
                copy.write_row(values[i : i + width])

    def finish(self) -> None:
        for name in self.counts:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), MAX(id)) FROM \"{name}\""
            )


def non_empty(connection: Connection, tables: Iterable[str]) -> list[str]:
    """The tables among `tables` that hold at least one row."""
    found = []
    for name in tables:
        table = Base.metadata.tables[name]
        if connection.execute(select(literal(1)).select_from(table).limit(1)).first():
            found.append(name)
    return found


def clear(connection: Connection, keep: Iterable[str] = ("disqualification_reasons",)) -> None:
    """Delete every row of every canonical table except `keep`, children first."""
    kept = set(keep)
    doomed = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in kept]
    if connection.dialect.name == "postgresql":
        names = _quoted(t.name for t in doomed)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    for table in doomed:
        connection.execute(delete(table))


@contextmanager
def bulk_load(engine: Engine) -> Iterator[Load]:
    """A Load for the engine's dialect inside one transaction, committed on success."""
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            kind = PostgresLoad if engine.dialect.name == "postgresql" else Load
            with connection.begin():
                yield kind(connection)
            return
        raw: Any = connection.connection.driver_connection
        # Rows are consistent by construction (the tests check every key): no per-row FK lookups.
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-131072")
        # A rollback journal writes the new pages once; WAL would write them twice (log, then
        # checkpoint). The switch only succeeds while no other connection is reading; else WAL stays.
        journal = raw.execute("PRAGMA journal_mode").fetchone()[0]
        if journal == "wal":
            raw.execute("PRAGMA journal_mode=DELETE")
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                yield SqliteLoad(connection)
        finally:
            raw.execute(f"PRAGMA journal_mode={journal}")
            raw.execute("PRAGMA foreign_keys=ON")
            raw.execute("PRAGMA synchronous=NORMAL")
            raw.execute("PRAGMA cache_size=-2000")
