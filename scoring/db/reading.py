"""Read a Core SELECT into a pandas frame fast, with the column types the SELECT declares.

On a large SQLite file opened from an engine, the rows go through the ADBC SQLite driver straight
into Arrow, in a child process (scoring.db.arrow_export says why): about ten times faster than
building Python tuples at a million rows. Elsewhere, on small files, or inside a caller's transaction
(whose uncommitted rows only its own connection sees), the driver's rows are fetched without
SQLAlchemy's per-row type processing. Either way, whole columns are then converted to the declared
types: datetimes, booleans, numerics and JSON.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Engine, Numeric, Select

# Below this size a child process costs more than it saves.
FAST_PATH_BYTES = 64 * 1024 * 1024


def _sql(query: Select[*tuple[Any, ...]], dialect: Any) -> str:
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _large_sqlite_file(engine: Engine) -> str | None:
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(str(url.database))
    big = path.is_file() and path.stat().st_size >= FAST_PATH_BYTES
    return str(path) if big and importlib.util.find_spec("adbc_driver_sqlite") else None


def _arrow(path: str, sql: str) -> pd.DataFrame:
    """One SELECT through the ADBC child process."""
    done = subprocess.run(
        [sys.executable, "-m", "scoring.db.arrow_export", path],
        input=json.dumps([sql]).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(done.stderr.decode(errors="replace").strip().splitlines()[-1:])
    return pa.ipc.open_stream(done.stdout).read_all().to_pandas()


def _plain(connection: Connection, sql: str) -> pd.DataFrame:
    result = connection.exec_driver_sql(sql)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _typed(frame: pd.DataFrame, query: Select[*tuple[Any, ...]]) -> pd.DataFrame:
    for column in query.selected_columns:
        name, kind = column.name, column.type
        if name not in frame:
            continue
        values = frame[name]
        if isinstance(kind, DateTime | Date):
            frame[name] = pd.to_datetime(values, format="ISO8601")
        elif isinstance(kind, Boolean):
            frame[name] = values.astype("boolean") if values.isna().any() else values.astype(bool)
        elif isinstance(kind, Numeric):
            frame[name] = pd.to_numeric(values, errors="coerce").astype(float)
        elif isinstance(kind, JSON):
            frame[name] = values.astype(object).map(_json)
    return frame


def _side_by_side(engine: Engine) -> bool:
    return engine.url.get_backend_name() != "sqlite" or _large_sqlite_file(engine) is not None


def read_frames(
    source: Engine | Connection,
    queries: Sequence[Select[*tuple[Any, ...]]],
    *,
    few: Collection[int] = (),
) -> list[pd.DataFrame]:
    """`read_frame` of each query, in order. From a PostgreSQL engine or a large SQLite file the
    reads run side by side, each on its own connection or child process, so together they take
    about as long as the largest. A connection (maybe a caller's transaction) reads one at a time,
    as does a small or in-memory SQLite database (one connection per thread would see another
    database there, and its reads are quick). `few` holds the positions of queries whose answer is
    small (read_frame's `few`)."""
    if isinstance(source, Engine) and len(queries) > 1 and _side_by_side(source):
        with ThreadPoolExecutor(max_workers=len(queries)) as pool:
            return list(
                pool.map(
                    lambda i: read_frame(source, queries[i], few=i in few), range(len(queries))
                )
            )
    return [read_frame(source, query, few=i in few) for i, query in enumerate(queries)]


def read_frame(
    source: Engine | Connection, query: Select[*tuple[Any, ...]], *, few: bool = False
) -> pd.DataFrame:
    """Run `query` on `source` and return its rows as a typed frame (column names as selected).

    `few` says the answer is small whatever the database's size (campaigns, reps): it is read in
    this process, as starting a child process would cost more than the rows."""
    if isinstance(source, Engine):
        path = None if few else _large_sqlite_file(source)
        if path is not None:
            return _typed(_arrow(path, _sql(query, source.dialect)), query)
        with source.connect() as connection:
            return _typed(_plain(connection, _sql(query, source.dialect)), query)
    return _typed(_plain(source, _sql(query, source.dialect)), query)
