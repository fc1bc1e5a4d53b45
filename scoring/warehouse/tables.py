"""The SQL schema of the feature frame: a Core Table for DDL on any engine and typed compiler columns.

feature_table("features", columns)   # Core Table on its own MetaData; missing values must be NULL
The Arrow form of the same frame (what DuckDB, Spark and Parquet read) is scoring.features.table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Double,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.types import TypeEngine

from scoring.features.columns import FEATURES

SQL_TYPES: dict[str, TypeEngine] = {
    "id": BigInteger(),
    "timestamp": DateTime(),
    "category": String(),
    "number": Double(),
    "count": Integer(),
    "days": Double(),
    "share": Double(),
    "flag": Boolean(),
}


def feature_table(
    name: str = "features",
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Table:
    """The SQL schema (a Core Table on its own MetaData) of the feature frame or some of its columns.

    Args:
        kinds: the kind of each custom column (`custom.<name>`); built-in columns have theirs.
    """
    names = list(FEATURES) if columns is None else list(columns)
    extra = kinds or {}
    schema, _, bare = name.rpartition(".")
    return Table(
        bare,
        MetaData(schema=schema or None),
        *(Column(n, SQL_TYPES[FEATURES[n].kind if n in FEATURES else extra[n]]) for n in names),
    )
