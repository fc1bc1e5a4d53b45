"""Run the compiled features and scores inside an engine: DuckDB, PostgreSQL, SQLite or Spark.

    with open_engine("duckdb", "exports/2026-11-01") as engine:      # a folder of Parquet files
        engine.write(scores_select(rulebook, as_of), "out/")          # out/scores.parquet

Sources: a folder with contacts, accounts, campaigns and touches as Parquet (`NAME.parquet` files
or `NAME/` folders of parts) for DuckDB and Spark; a SQLAlchemy URL of a smarketing database for
PostgreSQL and SQLite. Output: a folder (Parquet, `scores.parquet`) or, for the databases, a table.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Select, create_engine, event, literal_column, select

from scoring.errors import ConfigError
from scoring.rules.spec import Rulebook
from scoring.warehouse.dialects import render
from scoring.warehouse.features_sql import SOURCE_COLUMNS, feature_select
from scoring.warehouse.functions import register_feature_functions
from scoring.warehouse.rules_sql import rulebook_select

ENGINES = {
    "duckdb": "DuckDB over a folder of Parquet files (in process)",
    "spark": "Spark SQL over a folder of Parquet files (pyspark, local or the session in force)",
    "postgresql": "PostgreSQL: a smarketing database URL (postgresql+psycopg://...)",
    "sqlite": "SQLite: a smarketing database file (sqlite:///path.db)",
}
SCORES_FILE = "scores.parquet"


def scores_select(
    rulebook: Rulebook, as_of: datetime, *, competitor_domains: Collection[str] = ()
) -> Select:
    """Features and scores in ONE statement: the feature SELECT as CTE `features` under the rules."""
    features = feature_select(
        as_of, columns=rulebook.columns, competitor_domains=competitor_domains
    ).cte("features")
    rules = rulebook_select(rulebook, "features").add_cte(features).subquery("scored")
    columns = [c for c in rules.c if c.key != "mql"]
    mql = (rules.c.mql == literal_column("1")).label("mql")
    return select(*columns[:6], mql, *columns[6:])


class Engine(Protocol):
    name: str

    def fetch(self, statement: Select) -> pa.Table: ...

    def write(self, statement: Select, out: str) -> str: ...


def _parquet(source: Path, name: str) -> str:
    for candidate in (source / f"{name}.parquet", source / name):
        if candidate.is_file():
            return str(candidate)
        if candidate.is_dir():
            return str(candidate / "*.parquet")
    raise ConfigError(f"--source {source}: no {name}.parquet (or {name}/ folder of Parquet files)")


def _folder(source: str) -> Path:
    path = Path(source)
    if not path.is_dir():
        raise ConfigError(f"--source {source}: not a folder of Parquet files")
    return path


def _out_folder(out: str) -> Path:
    folder = Path(out)
    if folder.suffix:
        raise ConfigError(f"--out {out}: give a folder; the scores go to {SCORES_FILE} inside it")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, source: str, threads: int | None = None, memory: str | None = None) -> None:
        import duckdb

        folder = _folder(source)
        self.connection = duckdb.connect()
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")
        if memory:
            self.connection.execute(f"SET memory_limit = '{memory}'")
        for name in SOURCE_COLUMNS:
            path = _parquet(folder, name).replace("'", "''")
            self.connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")

    def fetch(self, statement: Select) -> pa.Table:
        return self.connection.sql(render(statement, self.name)).to_arrow_table()

    def write(self, statement: Select, out: str) -> str:
        target = _out_folder(out) / SCORES_FILE
        sql = render(statement, self.name)
        quoted = str(target).replace("'", "''")
        self.connection.execute(f"COPY ({sql}) TO '{quoted}' (FORMAT parquet)")
        return str(target)

    def close(self) -> None:
        self.connection.close()


class SparkEngine:
    name = "spark"

    def __init__(self, source: str) -> None:
        from pyspark.sql import SparkSession

        folder = _folder(source)
        builder: Any = SparkSession.builder
        launched = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit chose the master
        if SparkSession.getActiveSession() is None and not launched:
            builder = builder.master("local[*]")
        self.session = (
            builder.appName("smarketing-warehouse")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        self.session.conf.set("spark.sql.session.timeZone", "UTC")
        for name in SOURCE_COLUMNS:
            path = _parquet(folder, name)
            self.session.read.parquet(path).createOrReplaceTempView(name)

    def fetch(self, statement: Select) -> pa.Table:
        frame = self.session.sql(render(statement, self.name)).toPandas()
        return pa.Table.from_pandas(frame, preserve_index=False)

    def write(self, statement: Select, out: str) -> str:
        target = _out_folder(out) / SCORES_FILE
        self.session.sql(render(statement, self.name)).write.mode("overwrite").parquet(str(target))
        return str(target)

    def close(self) -> None:
        """The session stays: it is the process's (and may be a cluster's) to stop."""


class DatabaseEngine:
    def __init__(self, name: str, url: str) -> None:
        if not url.startswith(name):
            raise ConfigError(f"--source {url}: --engine {name} needs a {name} database URL")
        self.name = name
        self.engine = create_engine(url)
        if name == "sqlite":
            event.listen(self.engine, "connect", lambda dbapi, _: register_feature_functions(dbapi))

    def _cursor(self, connection: Any) -> Any:
        # the driver's cursor: no parameters, so '%' in LIKE patterns is not a placeholder
        return connection.connection.driver_connection.cursor()

    def fetch(self, statement: Select) -> pa.Table:
        with self.engine.connect() as connection:
            cursor = self._cursor(connection)
            cursor.execute(render(statement, self.name))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        columns: list[list[Any]] = [[row[i] for row in rows] for i in range(len(names))]
        return pa.table({n: pa.array(v) for n, v in zip(names, columns, strict=True)})

    def write(self, statement: Select, out: str) -> str:
        if "/" in out or out.endswith(".parquet") or Path(out).is_dir():
            target = _out_folder(out) / SCORES_FILE
            pq.write_table(self.fetch(statement), target)
            return str(target)
        if not out.replace("_", "").replace(".", "").isalnum():
            raise ConfigError(f"--out {out}: a table name is letters, digits, '_' and '.'")
        sql = render(statement, self.name)
        with self.engine.begin() as connection:
            cursor = self._cursor(connection)
            cursor.execute(f"DROP TABLE IF EXISTS {out}")
            cursor.execute(f"CREATE TABLE {out} AS {sql}")
        return f"table {out}"

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def open_engine(name: str, source: str, **options: Any) -> Iterator[Engine]:
    """The engine `name` over `source` (a Parquet folder or a database URL), closed on exit."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    engine: DuckDBEngine | SparkEngine | DatabaseEngine
    if name == "duckdb":
        engine = DuckDBEngine(source, **options)
    elif name == "spark":
        engine = SparkEngine(source)
    else:
        engine = DatabaseEngine(name, source)
    try:
        yield engine
    finally:
        engine.close()
