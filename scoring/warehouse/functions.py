"""The SQL constructs the feature compiler needs beyond the rule compiler's, spelled per target.

    construct             target      spelling
    timestamp_literal(t)  sqlite      '2026-11-01 00:00:00.000000' (SQLAlchemy's text form)
                          others      TIMESTAMP '2026-11-01 00:00:00.000000'
    epoch_micros(x)       sqlite      epoch_us(x) (registered Python function)
                          postgresql  CAST(EXTRACT(EPOCH FROM x) * 1000000 AS BIGINT)
                          duckdb      epoch_us(x)
                          spark       unix_micros(CAST(x AS TIMESTAMP))
    regex_capture(x, p)   sqlite      regexp_capture(x, p) (registered Python function)
                          postgresql  substring(x from p)
                          duckdb      NULLIF(regexp_extract(x, p, 1), '')  (spark alike)
    full_match(x, p)      sqlite      x REGEXP '^(?:p)\\z'
                          postgresql  x ~ '^(?:p)$'
                          duckdb      regexp_full_match(x, p)
                          spark       x RLIKE '^(?:p)\\z'

SQLite stores SQLAlchemy DateTime values as 'YYYY-MM-DD HH:MM:SS.ffffff' text, so a timestamp
literal in that spelling compares correctly as text. SQLite has no regex or epoch functions of its
own: `register_feature_functions` adds them with Python's semantics (what the numpy path uses).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from scoring.warehouse.dialects import register_sqlite_functions, text_literal

Expr = ColumnElement[Any]
EPOCH = datetime(1970, 1, 1)


def micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 of a naive UTC time (exact integer arithmetic)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class timestamp_literal(ColumnElement[datetime]):
    """A naive UTC timestamp constant."""

    inherit_cache = False
    type = DateTime()

    def __init__(self, value: datetime) -> None:
        self.value = value.replace(tzinfo=None)


@compiles(timestamp_literal)
def _timestamp(element: timestamp_literal, compiler: Any, **kw: Any) -> str:
    return f"TIMESTAMP '{element.value:%Y-%m-%d %H:%M:%S.%f}'"


@compiles(timestamp_literal, "sqlite")
def _timestamp_sqlite(element: timestamp_literal, compiler: Any, **kw: Any) -> str:
    return f"'{element.value:%Y-%m-%d %H:%M:%S.%f}'"


class epoch_micros(ColumnElement[int]):
    """Microseconds since 1970-01-01 of a timestamp column (NULL stays NULL)."""

    inherit_cache = False
    type = BigInteger()

    def __init__(self, value: Expr) -> None:
        self.value = value


@compiles(epoch_micros)
def _epoch_postgresql(element: epoch_micros, compiler: Any, **kw: Any) -> str:
    inner = compiler.process(element.value, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {inner}) * 1000000 AS BIGINT)"


@compiles(epoch_micros, "sqlite")
@compiles(epoch_micros, "duckdb")
def _epoch_us(element: epoch_micros, compiler: Any, **kw: Any) -> str:
    return f"epoch_us({compiler.process(element.value, **kw)})"


@compiles(epoch_micros, "spark")
def _epoch_spark(element: epoch_micros, compiler: Any, **kw: Any) -> str:
    return f"unix_micros(CAST({compiler.process(element.value, **kw)} AS TIMESTAMP))"


class regex_capture(ColumnElement[str]):
    """The first group of the first match of `pattern` in `value`; NULL when it does not match.

    The group must not be able to match the empty string ('' means "no match" on DuckDB and Spark).
    """

    inherit_cache = False
    type = String()

    def __init__(self, value: Expr, pattern: str) -> None:
        self.value = value
        self.pattern = text_literal(pattern)


def _operands(element: Any, compiler: Any, **kw: Any) -> tuple[str, str]:
    return compiler.process(element.value, **kw), compiler.process(element.pattern, **kw)


@compiles(regex_capture)
def _capture_postgresql(element: regex_capture, compiler: Any, **kw: Any) -> str:
    return "substring({} from {})".format(*_operands(element, compiler, **kw))


@compiles(regex_capture, "duckdb")
@compiles(regex_capture, "spark")
def _capture_extract(element: regex_capture, compiler: Any, **kw: Any) -> str:
    return "NULLIF(regexp_extract({}, {}, 1), '')".format(*_operands(element, compiler, **kw))


@compiles(regex_capture, "sqlite")
def _capture_sqlite(element: regex_capture, compiler: Any, **kw: Any) -> str:
    return "regexp_capture({}, {})".format(*_operands(element, compiler, **kw))


class full_match(ColumnElement[bool]):
    """True when `pattern` matches the whole of `value` (Python's re.fullmatch; NULL stays NULL)."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, value: Expr, pattern: str, anchored: str | None = None) -> None:
        self.value = value
        self.raw = pattern
        self.pattern = text_literal(anchored or pattern)


def _anchored(element: full_match, end: str) -> full_match:
    return full_match(element.value, element.raw, f"^(?:{element.raw}){end}")


@compiles(full_match)
def _full_postgresql(element: full_match, compiler: Any, **kw: Any) -> str:
    return "({} ~ {})".format(*_operands(_anchored(element, "$"), compiler, **kw))


@compiles(full_match, "sqlite")
def _full_sqlite(element: full_match, compiler: Any, **kw: Any) -> str:
    return "({} REGEXP {})".format(*_operands(_anchored(element, r"\z"), compiler, **kw))


@compiles(full_match, "duckdb")
def _full_duckdb(element: full_match, compiler: Any, **kw: Any) -> str:
    return "regexp_full_match({}, {})".format(*_operands(element, compiler, **kw))


@compiles(full_match, "spark")
def _full_spark(element: full_match, compiler: Any, **kw: Any) -> str:
    return "({} RLIKE {})".format(*_operands(_anchored(element, r"\z"), compiler, **kw))


def _epoch_from_text(value: str | None) -> int | None:
    return None if value is None else micros(datetime.fromisoformat(value))


def _capture(value: str | None, pattern: str) -> str | None:
    if value is None:
        return None
    found = re.search(pattern, value)
    return None if found is None else found.group(1)


def register_feature_functions(connection: Any) -> None:
    """The rule compiler's SQLite functions plus epoch_us and regexp_capture, on a sqlite3 connection."""
    register_sqlite_functions(connection)
    connection.create_function("epoch_us", 1, _epoch_from_text, deterministic=True)
    connection.create_function("regexp_capture", 2, _capture, deterministic=True)
