"""SQL targets of the rulebook push-down and the few constructs whose spelling differs between them.

Expressions are built once with SQLAlchemy Core and rendered per target. SQLite and PostgreSQL use
SQLAlchemy's own dialects; DuckDB and Spark SQL render through the PostgreSQL compiler under their own
dialect name, so the handful of differences below are declared with `@compiles(..., name)`:

    construct          sqlite          postgresql       duckdb             spark
    text literal       'it''s'         'it''s'          'it''s'            'it\\'s' (backslash escapes)
    ascii_lower(x)     lower(x)        translate(x, 'A..Z', 'a..z')  lower(x) if ASCII   (as pg)
    regex_search(x,p)  x REGEXP p      x ~ p            regexp_matches(x,p) x RLIKE p
    DOUBLE             DOUBLE (REAL)   DOUBLE PRECISION DOUBLE PRECISION   DOUBLE
    identifiers        "x"             "x"              "x"                `x`

SQLite's lower() folds ASCII only; translate() does the same elsewhere, so case folding agrees
everywhere (non-ASCII letters compare exactly). SQLite has no REGEXP or (before 3.35) POWER built in:
`register_sqlite_functions` adds them with Python's semantics.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ClauseElement, String
from sqlalchemy.dialects.postgresql.base import PGDialect, PGIdentifierPreparer, PGTypeCompiler
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from scoring.errors import ConfigError
from scoring.rules.faces import linear


class _DuckDBDialect(PGDialect):
    name = "duckdb"


class _SparkPreparer(PGIdentifierPreparer):
    def __init__(self, dialect: Dialect, **kw: Any) -> None:
        super().__init__(dialect, initial_quote="`", escape_quote="`")


class _SparkTypes(PGTypeCompiler):
    def visit_double(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    visit_DOUBLE = visit_double
    visit_DOUBLE_PRECISION = visit_double


class _SparkDialect(PGDialect):
    name = "spark"
    preparer = _SparkPreparer  # type: ignore[assignment]  # a PG preparer with backticks
    type_compiler_cls = _SparkTypes


@dataclass(frozen=True)
class Target:
    """One SQL engine the rulebook compiles to."""

    name: str
    help: str
    dialect: Dialect


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "sqlite",
            "SQLite 3.35+ (REGEXP via register_sqlite_functions)",
            SQLiteDialect(paramstyle="named"),
        ),
        Target("postgresql", "PostgreSQL 12+", PGDialect(paramstyle="named")),
        Target("duckdb", "DuckDB 1.0+ (tables or Parquet)", _DuckDBDialect(paramstyle="named")),
        Target("spark", "Spark SQL 3.4+", _SparkDialect(paramstyle="named")),
    )
}


def target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown SQL dialect {name!r}; choose one of {', '.join(TARGETS)}"
        ) from None


def render(statement: ClauseElement, name: str) -> str:
    """The statement as SQL text for target `name`, every value inlined as a literal."""
    compiled = statement.compile(
        dialect=target(name).dialect, compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


class text_literal(ColumnElement[str]):
    """A string constant, quoted the way each target reads it back unchanged."""

    inherit_cache = False
    type = String()

    def __init__(self, value: str) -> None:
        self.value = value


@compiles(text_literal)
def _quote(element: text_literal, compiler: Any, **kw: Any) -> str:
    return "'" + element.value.replace("'", "''") + "'"


@compiles(text_literal, "spark")
def _quote_spark(element: text_literal, compiler: Any, **kw: Any) -> str:
    return "'" + element.value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class ascii_lower(FunctionElement[str]):
    """Fold A-Z to a-z and leave every other character as it is."""

    inherit_cache = True
    type = String()


_UPPER, _LOWER = string.ascii_uppercase, string.ascii_lowercase


@compiles(ascii_lower)
def _translate(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"translate({inner}, '{_UPPER}', '{_LOWER}')"


@compiles(ascii_lower, "duckdb")
def _duckdb_lower(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # DuckDB's translate() is slow; lower() folds ASCII alike, so take it when the text is ASCII
    # (as many bytes as characters) and translate() only otherwise.
    inner = compiler.process(element.clauses, **kw)
    folded = f"translate({inner}, '{_UPPER}', '{_LOWER}')"
    return f"CASE WHEN strlen({inner}) = length({inner}) THEN lower({inner}) ELSE {folded} END"


@compiles(ascii_lower, "sqlite")
def _sqlite_lower(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


class regex_search(ColumnElement[bool]):
    """True when `pattern` matches somewhere in `value` (NULL when value is NULL)."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, value: ColumnElement[Any], pattern: str) -> None:
        self.value = value
        self.pattern = text_literal(pattern)


def _operands(element: regex_search, compiler: Any, **kw: Any) -> tuple[str, str]:
    return compiler.process(element.value, **kw), compiler.process(element.pattern, **kw)


@compiles(regex_search)
def _regex_postgresql(element: regex_search, compiler: Any, **kw: Any) -> str:
    value, pattern = _operands(element, compiler, **kw)
    return f"({value} ~ {pattern})"


@compiles(regex_search, "sqlite")
def _regex_sqlite(element: regex_search, compiler: Any, **kw: Any) -> str:
    value, pattern = _operands(element, compiler, **kw)
    return f"({value} REGEXP {pattern})"


@compiles(regex_search, "duckdb")
def _regex_duckdb(element: regex_search, compiler: Any, **kw: Any) -> str:
    return "regexp_matches({}, {})".format(*_operands(element, compiler, **kw))


@compiles(regex_search, "spark")
def _regex_spark(element: regex_search, compiler: Any, **kw: Any) -> str:
    value, pattern = _operands(element, compiler, **kw)
    return f"({value} RLIKE {pattern})"


def _regexp(pattern: str, value: str | None) -> bool | None:
    """SQLite's REGEXP on RE2, as the pandas face matches: linear in the text, whatever the pattern."""
    return None if value is None else linear(pattern).search(value) is not None


def _power(base: float | None, exponent: float | None) -> float | None:
    if base is None or exponent is None:
        return None
    return math.pow(base, exponent)


def register_sqlite_functions(connection: Any) -> None:
    """Add REGEXP (RE2's search) and, if missing, POWER to a sqlite3 DBAPI connection."""
    connection.create_function("regexp", 2, _regexp, deterministic=True)
    try:
        connection.execute("select power(2.0, 1.0)")
    except Exception:  # older SQLite without the math functions
        connection.create_function("power", 2, _power, deterministic=True)
