"""Features and rules compiled to SQL and run where the data lives (DuckDB, PostgreSQL, SQLite,
Spark SQL, dbt): the SQL face of every operator, the SQL targets and the push-down compiler.

    print(compile_rulebook(load_rulebook(), "duckdb", table="features"))

The core (scoring.rules) declares operators with their numpy and English faces only; everything that
needs SQLAlchemy to build or render SQL lives here.
"""

from __future__ import annotations

from scoring.warehouse.dialects import TARGETS, Target, register_sqlite_functions, render
from scoring.warehouse.faces import SQL_FACES, sql_condition
from scoring.warehouse.rules_sql import compile_rulebook, predicate_sql, rulebook_select
from scoring.warehouse.tables import feature_table

__all__ = [
    "SQL_FACES",
    "TARGETS",
    "Target",
    "compile_rulebook",
    "feature_table",
    "predicate_sql",
    "register_sqlite_functions",
    "render",
    "rulebook_select",
    "sql_condition",
]
