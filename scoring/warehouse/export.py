"""Write the canonical tables of a smarketing database as Parquet: what `warehouse score --source DIR` reads.

    export_parquet(engine, Path("exports/2026-11-01"))   # contacts.parquet, accounts.parquet, ...

Each table is read in primary-key order, `chunk` rows at a time (bounded memory), every column of
scoring.db.models with a fixed Arrow type: ids int64, text string, times timestamp[us] (naive UTC),
numerics float64, flags bool, JSON as its text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Engine,
    Integer,
    Numeric,
    Table,
    select,
)

from scoring.db.models import Account, Campaign, Contact, Touch
from scoring.db.reading import read_frame

TABLES: dict[str, Table] = {
    "contacts": Contact.__table__,  # type: ignore[dict-item]
    "accounts": Account.__table__,  # type: ignore[dict-item]
    "campaigns": Campaign.__table__,  # type: ignore[dict-item]
    "touches": Touch.__table__,  # type: ignore[dict-item]
}


@dataclass(frozen=True)
class Exported:
    table: str
    path: Path
    rows: int


def arrow_type(sql_type: Any) -> pa.DataType:
    """The Arrow type a column of this SQLAlchemy type is written as."""
    if isinstance(sql_type, Boolean):
        return pa.bool_()
    if isinstance(sql_type, DateTime):
        return pa.timestamp("us")
    if isinstance(sql_type, Date):
        return pa.date32()
    if isinstance(sql_type, BigInteger | Integer):
        return pa.int64()
    if isinstance(sql_type, Numeric):
        return pa.float64()
    return pa.string()


def _schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns])


def _batch(frame: pd.DataFrame, table: Table, schema: pa.Schema) -> pa.Table:
    arrays = []
    for column in table.columns:
        values = frame[column.name]
        if isinstance(column.type, JSON):
            values = values.map(lambda v: None if v is None else json.dumps(v, sort_keys=True))
        elif isinstance(column.type, Numeric | Integer):
            values = pd.to_numeric(values)
        arrays.append(pa.array(values, type=schema.field(column.name).type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def export_table(engine: Engine, name: str, folder: Path, chunk: int = 200_000) -> Exported:
    """One canonical table to FOLDER/NAME.parquet, `chunk` rows at a time in id order."""
    table = TABLES[name]
    schema = _schema(table)
    path = folder / f"{name}.parquet"
    rows, last = 0, None
    with pq.ParquetWriter(path, schema) as writer:
        while True:
            query = select(*table.columns).order_by(table.c.id).limit(chunk)
            if last is not None:
                query = query.where(table.c.id > last)
            frame = read_frame(engine, query)
            if frame.empty:
                break
            writer.write_table(_batch(frame, table, schema))
            rows += len(frame)
            last = int(frame["id"].iloc[-1])
            if len(frame) < chunk:
                break
    return Exported(name, path, rows)


def export_parquet(engine: Engine, folder: Path, chunk: int = 200_000) -> list[Exported]:
    """contacts, accounts, campaigns and touches of the database as Parquet files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return [export_table(engine, name, folder, chunk) for name in TABLES]
