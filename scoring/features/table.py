"""The feature frame as a table: its SQL schema (Core) and an Arrow form with NULL for missing.

feature_table("features", columns)   # Core Table: DDL for any engine, typed columns for the compiler
feature_arrow(leads)                 # what DuckDB, Spark and Parquet read; NaN became NULL
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
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

ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "timestamp": pa.timestamp("us"),
    "category": pa.string(),
    "number": pa.float64(),
    "count": pa.int32(),
    "days": pa.float64(),
    "share": pa.float64(),
    "flag": pa.bool_(),
}


def feature_table(name: str = "features", columns: Sequence[str] | None = None) -> Table:
    """The SQL schema (a Core Table on its own MetaData) of the feature frame or some of its columns."""
    names = list(FEATURES) if columns is None else list(columns)
    schema, _, bare = name.rpartition(".")
    return Table(
        bare,
        MetaData(schema=schema or None),
        *(Column(n, SQL_TYPES[FEATURES[n].kind]) for n in names),
    )


def feature_arrow(features: pd.DataFrame) -> pa.Table:
    """The frame as Arrow with NULL for every missing value (NaN would compare as a number in SQL)."""
    arrays, fields = [], []
    for name in features.columns:
        kind = FEATURES[name].kind
        values = features[name]
        if kind == "category":
            values = values.astype(object)
        arrays.append(pa.array(values, type=ARROW_TYPES[kind], from_pandas=True))
        fields.append(pa.field(name, ARROW_TYPES[kind], nullable=FEATURES[name].nullable))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
