"""The database edge of custom fields: a side table of typed values, rebuilt at import.

    refresh_custom_features(connection, fields_from_profile(profile))   # inside the import's transaction
    fields = read_custom_fields(engine)                  # name -> CustomField (what rules may name)
    values = read_custom_values(engine, lead_ids)        # contact_id + one typed column per field

`custom_fields` holds the catalogue (name, kind, label, known_at); `custom_features` one row per contact
with one typed column per field (DOUBLE, text or BOOLEAN), so scoring never parses the JSON
`contacts.attributes` again. Both are derived data, like the `features` table of `rules sql`: each import
that declares custom fields rebuilds them from every contact's attributes, in the import's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Double,
    Engine,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    select,
)
from sqlalchemy.types import TypeEngine

from scoring.db.models import Contact
from scoring.db.reading import read_frame
from scoring.features.custom import CustomField, custom_columns, merged, typed

CATALOGUE = "custom_fields"
VALUES = "custom_features"
SQL_TYPES: dict[str, TypeEngine] = {"number": Double(), "category": String(), "flag": Boolean()}
CHUNK = 10_000


def _catalogue_table() -> Table:
    return Table(
        CATALOGUE,
        MetaData(),
        Column("name", String(200), primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("label", String(200), nullable=False),
        Column("known_at", String(20), nullable=False),
        Column("help", String(500), nullable=False),
    )


def _values_table(fields: Mapping[str, CustomField]) -> Table:
    return Table(
        VALUES,
        MetaData(),
        Column("contact_id", BigInteger, primary_key=True),
        *(Column(name, SQL_TYPES[f.kind]) for name, f in fields.items()),
    )


def _exists(source: Engine | Connection, name: str) -> bool:
    return inspect(source).has_table(name)


def read_custom_fields(source: Engine | Connection) -> dict[str, CustomField]:
    """The custom fields recorded by imports (empty when none was declared)."""
    if not _exists(source, CATALOGUE):
        return {}
    rows = read_frame(source, select(*_catalogue_table().c).order_by("name"))
    return {
        str(r["name"]): CustomField(
            str(r["name"]), str(r["kind"]), str(r["label"]), str(r["known_at"]), str(r["help"])
        )
        for r in rows.to_dict("records")
    }


def refresh_custom_features(connection: Connection, declared: Mapping[str, CustomField]) -> int:
    """Record `declared` (with the fields already recorded) and rebuild the value table.

    Returns the number of contacts written. A field recorded earlier keeps its place; the newly
    declared kind, label and known_at win.
    """
    if not declared:
        return 0
    fields = merged(read_custom_fields(connection), declared)
    catalogue = _catalogue_table()
    catalogue.drop(connection, checkfirst=True)
    catalogue.create(connection)
    connection.execute(
        insert(catalogue),
        [
            {
                "name": f.name,
                "kind": f.kind,
                "label": f.label,
                "known_at": f.known_at,
                "help": f.help,
            }
            for f in fields.values()
        ],
    )
    contacts = read_frame(connection, select(Contact.id, Contact.attributes).order_by(Contact.id))
    values = _values_table(fields)
    values.drop(connection, checkfirst=True)
    values.create(connection)
    columns = custom_columns(contacts["attributes"], fields)
    frame = pd.DataFrame(
        {"contact_id": contacts["id"].to_numpy(np.int64)}
        | {f.name: _sql_values(columns[f.column]) for f in fields.values()}
    )
    _insert_rows(connection, values, list(zip(*frame.to_dict("list").values(), strict=True)))
    return len(frame)


def _insert_rows(connection: Connection, table: Table, rows: list[tuple[object, ...]]) -> None:
    """Plain tuples through the driver's executemany: the values are already what the columns hold
    (ints, floats, text, booleans, None), so SQLAlchemy's per-row parameter processing is skipped."""
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in table.c)}) "
        f"VALUES ({', '.join(mark for _ in table.c)})"
    )
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + CHUNK])


def _sql_values(column: object) -> list[object]:
    """NULL for every missing value (NaN would compare as a number in SQL)."""
    series = pd.Series(np.asarray(column, dtype=object))
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in series]


def read_custom_values(
    source: Engine | Connection,
    fields: Mapping[str, CustomField],
    lead_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """contact_id plus one typed column per field (`custom.<name>`); empty without a side table."""
    if not fields or not _exists(source, VALUES):
        return pd.DataFrame({"contact_id": np.array([], dtype=np.int64)})
    stored = {c["name"] for c in inspect(source).get_columns(VALUES)}
    values = _values_table({n: f for n, f in fields.items() if n in stored})
    query = select(*values.c)
    if lead_ids is not None:
        query = query.where(values.c.contact_id.in_(sorted({int(i) for i in lead_ids})))
    raw = read_frame(source, query)
    out = {"contact_id": raw["contact_id"].to_numpy(np.int64)}
    for name, field in fields.items():
        column = raw[name] if name in raw else pd.Series([None] * len(raw), dtype=object)
        out[field.column] = typed(column.astype(object).where(column.notna(), None), field.kind)
    return pd.DataFrame(out)


def with_custom(
    leads: pd.DataFrame, values: pd.DataFrame, fields: Mapping[str, CustomField]
) -> pd.DataFrame:
    """`leads` plus the custom columns of `values`, row for row (a lead without values: missing)."""
    if not fields:
        return leads
    at = pd.Index(values["contact_id"]).get_indexer(leads["lead_id"].to_numpy())
    extra: dict[str, object] = {}
    for field in fields.values():
        column = values.get(field.column)
        taken = pd.Series([None] * len(leads), dtype=object)
        if column is not None:
            source = column.astype(object).reset_index(drop=True)
            taken = source.reindex(np.where(at >= 0, at, len(source))).reset_index(drop=True)
        extra[field.column] = typed(taken.where(taken.notna(), None), field.kind)
    return pd.concat([leads, pd.DataFrame(extra, index=leads.index)], axis=1)
