"""Storage by natural key: batched lookups and insert-or-update statements for SQLite and PostgreSQL.

An upsert rewrites a stored row only when one of its values differs, so writing the same rows
again changes nothing (not even `updated_at`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
    Connection,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from scoring.errors import ConfigError
from scoring.sources.frames import python_values

Progress = Callable[[str, int, int], None]
BATCH = 1000
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def table_of(model: Any) -> Table:
    table: Table = model.__table__
    return table


def ignore_progress(phase: str, done: int, total: int) -> None:
    return None


def _matching(connection: Connection, column: Any, keys: list[Any]) -> Any:
    """`column IN keys` as one parameter, however many keys: on PostgreSQL an array (which the
    planner can hash or index), on SQLite a JSON array read by `json_each` (one statement instead
    of one per 900 keys, each compiled anew)."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam("keys", keys, type_=ARRAY(column.type)))
    listed: Any = select(literal_column("value")).select_from(
        func.json_each(bindparam("keys", json.dumps(keys), type_=Text))
    )
    return column.in_(listed.scalar_subquery())


def _distinct(keys: Iterable[Any]) -> list[Any]:
    """The keys present, once each, in their first order, as Python values."""
    series = keys if isinstance(keys, pd.Series) else pd.Series(list(keys), dtype=object)
    values = series.dropna().drop_duplicates().tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def lookup(
    connection: Connection, model: Any, key: str, keys: Iterable[Any], *columns: str
) -> pd.DataFrame:
    """Stored rows whose `key` is one of `keys` (batched)."""
    table = table_of(model)
    wanted = _distinct(keys)
    selected = [table.c[key], *(table.c[c] for c in columns)]
    size = 10_000 if connection.dialect.name == "postgresql" else 100_000
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(wanted), size):
        condition = _matching(connection, table.c[key], wanted[start : start + size])
        # Plain tuples: a frame built from Row objects probes each row's attributes (slow).
        rows.extend(tuple(row) for row in connection.execute(select(*selected).where(condition)))
    return pd.DataFrame(rows, columns=[key, *columns]).set_index(key)


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    values = [python_values(frame[c]) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def upsert(
    connection: Connection,
    model: Any,
    key: str,
    rows: list[dict[str, Any]],
    progress: Progress,
    phase: str,
) -> None:
    """Insert or update by natural key; a stored row is rewritten only when one of its values differs."""
    if not rows:
        return
    table = table_of(model)
    make_insert = _INSERTS.get(connection.dialect.name)
    if make_insert is None:
        raise ConfigError(f"imports support SQLite and PostgreSQL, not {connection.dialect.name}")
    statement: Any = make_insert(table)
    new = statement.excluded
    columns = [c for c in rows[0] if c != key]

    def differs(column: str) -> Any:
        stored: Any = table.c[column]
        incoming: Any = new[column]
        if isinstance(stored.type, JSON):  # PostgreSQL cannot compare json values
            stored, incoming = cast(stored, Text), cast(incoming, Text)
        return stored.is_distinct_from(incoming)

    compared = [c for c in columns if c != "updated_at"] or columns
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={c: new[c] for c in columns},
        where=or_(*(differs(c) for c in compared)),
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(statement, rows[start : start + BATCH])
        progress(phase, min(start + BATCH, len(rows)), len(rows))


def ids_by_key(connection: Connection, model: Any, key: str, keys: Iterable[Any]) -> pd.Series:
    found = lookup(connection, model, key, keys, "id")
    return found["id"] if len(found) else pd.Series(dtype="int64")
