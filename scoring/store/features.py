"""The database edge of the feature frame: read the source tables, write the frame as a table.

leads = read_features(engine, as_of=datetime(2026, 11, 1))   # four SELECTs, then build_features
write_features(connection, leads, table="features")          # for the `rules sql` push-down
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, Table, insert, select

from scoring.db.models import Account, Campaign, Contact, Touch
from scoring.db.reading import read_frames
from scoring.features.custom import kind_of
from scoring.features.frame import build_features
from scoring.features.table import feature_arrow
from scoring.store.custom import read_custom_fields, read_custom_values, with_custom
from scoring.warehouse.tables import feature_table


def read_features(
    source: Engine | Connection,
    *,
    as_of: datetime,
    lead_ids: Iterable[int] | None = None,
    competitor_domains: Collection[str] = (),
    custom: bool = True,
) -> pd.DataFrame:
    """build_features over the canonical tables: contacts created and touches occurred before as_of.

    With `custom` (the default) the custom fields recorded at import follow as `custom.<name>`
    columns (scoring.store.custom).
    """
    contacts_q = select(*Contact.__table__.c).where(Contact.created_at < as_of)
    touches_q = select(Touch.contact_id, Touch.kind, Touch.occurred_at, Touch.url, Touch.asset)
    touches_q = touches_q.where(Touch.occurred_at < as_of)
    accounts_q = select(*Account.__table__.c)
    if lead_ids is not None:
        wanted = sorted({int(i) for i in lead_ids})
        contacts_q = contacts_q.where(Contact.id.in_(wanted))
        touches_q = touches_q.where(Touch.contact_id.in_(wanted))
        chosen = select(Contact.account_id).where(Contact.id.in_(wanted))
        accounts_q = accounts_q.where(Account.id.in_(chosen.scalar_subquery()))
    queries = (contacts_q, accounts_q, select(*Campaign.__table__.c), touches_q)
    frames = read_frames(source, queries, few={2})  # campaigns: a few dozen rows
    return features_from(
        source, *frames, as_of=as_of, lead_ids=lead_ids,
        competitor_domains=competitor_domains, custom=custom,
    )  # fmt: skip


def features_from(
    source: Engine | Connection,
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
    campaigns: pd.DataFrame,
    touches: pd.DataFrame,
    *,
    as_of: datetime,
    lead_ids: Iterable[int] | None = None,
    competitor_domains: Collection[str] = (),
    custom: bool = True,
) -> pd.DataFrame:
    """`read_features` over source tables already read (for example whole, and held by the
    dashboard for every moment it scores at): rows created and touches occurred at or after
    `as_of` are left out here. Custom fields are read from `source`."""
    leads = build_features(
        contacts, accounts, campaigns, touches, as_of=as_of, competitor_domains=competitor_domains
    )
    if not custom:
        return leads
    fields = read_custom_fields(source)
    values = read_custom_values(source, fields, lead_ids)
    return with_custom(leads, values, fields)


def write_features(
    connection: Connection, features: pd.DataFrame, table: str = "features", *, chunk: int = 10_000
) -> Table:
    """(Re)create `table` with the frame's columns and insert every row; returns the Core table."""
    kinds = {name: kind_of(name, features[name].dtype) for name in features.columns}
    target = feature_table(table, list(features.columns), kinds)
    target.drop(connection, checkfirst=True)
    target.create(connection)
    arrow = feature_arrow(features)
    for batch in arrow.to_batches(max_chunksize=chunk):
        rows = batch.to_pylist()
        if rows:
            connection.execute(insert(target), rows)
    return target
