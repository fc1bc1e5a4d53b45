"""Account rows of a record, keyed by domain, else external id, else name (docs/mapping-profiles.md).

The name is a key only in records that map neither `account.domain` nor `account.external_id`:
a source with domains keeps writing no account for a row without one, as it always did. A row's
account is what the record's contacts and opportunities belong to (their `account` reference).
"""

from __future__ import annotations

import pandas as pd

from scoring.sources.identities import merge_by_identity
from scoring.sources.records import Record, locate

ACCOUNT_KEYS = ("domain", "external_id", "name")
ACCOUNT_COLUMNS = ("industry", "employees", "annual_revenue", "country", "region", "created_at")
ACCOUNT_REFERENCES = ("parent", "owner")
"""Account columns that name another row: the parent account, the owning rep."""


def _keys_of(record: Record) -> tuple[str, ...]:
    mapped = [k for k in ("domain", "external_id") if f"account.{k}" in record.values]
    return tuple(mapped) if mapped else ("name",)


def account_reference(record: Record) -> tuple[pd.Series, str] | None:
    """Each row's account as a reference (its strongest key's value) and the target it came from."""
    keys = [k for k in _keys_of(record) if f"account.{k}" in record.values]
    if not keys:
        return None
    values = record.values
    reference = pd.Series([None] * record.size, dtype=object)
    for key in reversed(keys):
        given = values[f"account.{key}"]
        reference = given.astype(object).where(given.notna(), reference)
    return reference, f"account.{keys[0]}"


def account_rows(record: Record) -> pd.DataFrame | None:
    """The accounts a record names, one row per record row that has a key (not merged yet)."""
    keys = [k for k in _keys_of(record) if f"account.{k}" in record.values]
    if not keys:
        return None
    values = record.values
    frame: dict[str, pd.Series] = {k: values[f"account.{k}"] for k in keys}
    name = values.get("account.name")
    frame["name"] = pd.Series([None] * record.size, dtype=object) if name is None else name
    for column in (*ACCOUNT_COLUMNS, *ACCOUNT_REFERENCES):
        if f"account.{column}" in values:
            frame[column] = values[f"account.{column}"]
    checked = {c: f"account.{c}" for c in (*ACCOUNT_KEYS, *ACCOUNT_REFERENCES)}
    locate(frame, record, {c: t for c, t in checked.items() if t in values})
    rows = pd.DataFrame(frame)
    return rows[rows[keys].notna().any(axis=1).to_numpy(dtype=bool)]


def merge_accounts(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per account of the import (see scoring.sources.identities)."""
    return merge_by_identity(frame, [k for k in ACCOUNT_KEYS if k in frame])
