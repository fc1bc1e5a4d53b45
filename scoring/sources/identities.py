"""Rows named by the first of several keys, strongest first: one row per entity within an import.

Accounts are named by domain, else external id, else name; reps by external id, else email. A row's
identity is its strongest key that has a value. A row named only by a weaker key takes the identity
of the one row that has a stronger key and the same weaker value ("Acme" in one file, "acme.com"
with the name "Acme" in another): both are one account. Rows of one identity take, field by field,
the last value given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

IDENTITY = "_identity"
"""The column holding each row's identity: `<key>=<value>` (never written to the database)."""


def identities(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """`<key>=<value>` of each row's strongest key with a value (missing when it has none)."""
    result = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for key in reversed(keys):
        if key in frame:
            present = frame[key].notna().to_numpy(dtype=bool)
            named = (f"{key}=" + frame[key].astype(str)).astype(object)
            result = result.where(~present, named)
    return result


def _adopt(frame: pd.DataFrame, ident: pd.Series, keys: Sequence[str]) -> pd.Series:
    """Rows named by a weaker key take the single stronger identity that shares that key's value."""
    for position, key in enumerate(keys[1:], start=1):
        if key not in frame:
            continue
        weak = ident.str.startswith(f"{key}=", na=False).to_numpy(dtype=bool)
        stronger = tuple(f"{k}=" for k in keys[:position])
        strong = ident.str.startswith(stronger, na=False).to_numpy(dtype=bool)
        if not weak.any() or not strong.any():
            continue
        pairs = pd.DataFrame({"value": frame[key][strong], "ident": ident[strong]}).dropna()
        distinct = pairs.drop_duplicates()
        counts = distinct.groupby("value")["ident"].agg(["nunique", "first"])
        single = counts.loc[counts["nunique"] == 1, "first"]
        found = frame[key][weak].map(single)
        ident = ident.copy()
        ident.iloc[np.flatnonzero(weak)] = found.where(found.notna(), ident[weak]).to_numpy()
    return ident


def merge_by_identity(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per identity (rows without any key are dropped), in order of first appearance."""
    if not len(frame):
        return frame
    frame = frame.reset_index(drop=True)
    ident = _adopt(frame, identities(frame, keys), keys)
    named = frame.assign(**{IDENTITY: ident.to_numpy()})[ident.notna().to_numpy(dtype=bool)]
    if not len(named):
        return named
    return named.groupby(IDENTITY, sort=False).last().reset_index()


def key_wheres(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """Where each row's identity was read: the locator of its strongest key with a value."""
    result = frame["_where"].astype(object)
    for key in reversed(keys):
        if key in frame and f"_where_{key}" in frame:
            result = result.where(frame[key].isna(), frame[f"_where_{key}"])
    return result
