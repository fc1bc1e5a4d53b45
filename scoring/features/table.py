"""The feature frame as an Arrow table, with NULL for every missing value.

feature_arrow(leads)                 # what DuckDB, Spark and Parquet read; NaN became NULL
The SQL schema of the same frame is an edge concern: scoring.warehouse.tables.feature_table.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from scoring.features.columns import FEATURES
from scoring.features.custom import kind_of

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


def feature_arrow(features: pd.DataFrame) -> pa.Table:
    """The frame as Arrow with NULL for every missing value (NaN would compare as a number in SQL)."""
    arrays, fields = [], []
    for name in features.columns:
        values = features[name]
        kind = kind_of(name, values.dtype)
        nullable = FEATURES[name].nullable if name in FEATURES else kind != "flag"
        if kind == "category":
            values = values.astype(object)
        arrays.append(pa.array(values, type=ARROW_TYPES[kind], from_pandas=True))
        fields.append(pa.field(name, ARROW_TYPES[kind], nullable=nullable))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
