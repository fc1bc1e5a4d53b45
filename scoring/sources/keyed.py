"""Accounts and reps in the database: match an import's rows to stored ones, resolve references, write.

Match order (docs/mapping-profiles.md, "Accounts without a domain"): a row is the stored row with
the same strongest key (accounts: domain, external id, name; reps: external id, email); failing
that, the next key, but only with a stored row that has no value for the stronger keys the row has
(a stored `acme.com` is never matched to an import's `acme.de` by their common name). A name that
matches several stored accounts is a problem, never a guess. References (a contact's or an
opportunity's account, a parent account, an owner rep) are resolved the same way against what the
database will hold after the import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, insert, or_, update

from scoring.db.models import Account, Rep
from scoring.errors import Problem
from scoring.sources.identities import key_wheres
from scoring.sources.upsert import lookup, records, table_of


@dataclass(frozen=True)
class KeyedEntity:
    """A table whose rows are named by the first of several keys (strongest first)."""

    model: Any
    what: str
    keys: tuple[str, ...]
    unique: tuple[str, ...]
    personal: bool = False  # references are personal data: messages never quote them
    hint: str = ""  # how to name one row unambiguously, for messages


ACCOUNTS = KeyedEntity(
    Account,
    "account",
    ("domain", "external_id", "name"),
    ("domain", "external_id"),
    hint="domain or external id",
)
REPS = KeyedEntity(
    Rep,
    "rep",
    ("external_id", "email"),
    ("external_id", "email"),
    personal=True,
    hint="external id or e-mail",
)
_LOWER = frozenset({"domain", "email"})


@dataclass(frozen=True)
class Reference:
    """A column of a frame naming rows of a keyed entity, and the target it was read from."""

    frame: pd.DataFrame
    column: str
    target: str


@dataclass(frozen=True)
class KeyedPlan:
    """Per import row its stored id (missing: new); what the table holds after the import."""

    ids: pd.Series
    universe: pd.DataFrame
    problems: list[Problem]


def _normal(key: str, values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), None)
    return text.map(lambda v: v if v is None else str(v).lower()) if key in _LOWER else text


def stored_rows(connection: Connection, entity: KeyedEntity, values: Sequence[Any]) -> pd.DataFrame:
    """Stored rows whose key (any of them) is one of `values`: id and every key."""
    wanted = list(dict.fromkeys(str(v) for v in values if v is not None and not pd.isna(v)))
    parts = []
    for key in entity.keys:
        others = [k for k in entity.keys if k != key]
        probe = [v.lower() for v in wanted] if key in _LOWER else wanted
        found = lookup(connection, entity.model, key, probe, "id", *others).reset_index()
        parts.append(found[["id", *entity.keys]])
    rows = pd.concat(parts, ignore_index=True).drop_duplicates("id")
    return rows.astype({"id": "int64"}).reset_index(drop=True)


def _match(
    rows: pd.DataFrame, stored: pd.DataFrame, entity: KeyedEntity
) -> tuple[pd.Series, list[Problem]]:
    ids = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    problems: list[Problem] = []
    wheres = key_wheres(rows, entity.keys)
    for position, key in enumerate(entity.keys):
        if key not in rows:
            continue
        stronger = [k for k in entity.keys[:position] if k in rows]
        pending = rows[ids.isna().to_numpy() & rows[key].notna().to_numpy()]
        left = pd.DataFrame({"row": pending.index, "value": _normal(key, pending[key]).to_numpy()})
        for k in stronger:
            left[f"has_{k}"] = pending[k].notna().to_numpy()
        right = stored.assign(value=_normal(key, stored[key])).dropna(subset=["value"])
        pairs = left.merge(right, on="value")
        for k in stronger:
            pairs = pairs[~pairs[f"has_{k}"] | pairs[k].isna()]
        counts = pairs.groupby("row")["id"].agg(["nunique", "first"])
        single = counts[counts["nunique"] == 1]
        ids[single.index] = single["first"].astype("int64").to_numpy()
        several = counts.loc[counts["nunique"] > 1, "nunique"]
        for row, n in zip(several.index.tolist(), several.tolist(), strict=True):
            value = left.loc[left["row"] == row, "value"].iat[0]
            shown = "this value" if entity.personal else repr(value)
            problems.append(
                Problem(
                    str(wheres.loc[row]),
                    f"{entity.what}.{key}: {shown} matches {n} stored {entity.what}s; "
                    f"give its {entity.hint}",
                )
            )
    return ids, problems


def _conflicts(
    rows: pd.DataFrame, ids: pd.Series, stored: pd.DataFrame, entity: KeyedEntity
) -> list[Problem]:
    """Unique keys an import row would take from another row (stored, or of this import)."""
    problems = []
    for key in entity.unique:
        if key not in rows:
            continue
        given = _normal(key, rows[key]).dropna()
        taken = pd.Series(stored["id"].to_numpy(), index=_normal(key, stored[key]).to_numpy())
        taken = taken[taken.index.notna()]
        owner = given.map(taken[~taken.index.duplicated()])
        mine = ids.reindex(given.index)
        differs = (mine.astype("Int64") != owner.astype("Int64")).fillna(True)
        stolen = owner.notna().to_numpy() & differs.to_numpy(dtype=bool)
        twice = given.duplicated(keep="first").to_numpy()
        where = rows.get(f"_where_{key}", rows["_where"])
        for index, value, bad, again in zip(given.index, given, stolen, twice, strict=True):
            shown = "this value" if entity.personal else repr(value)
            if bad:
                message = f"{shown} already belongs to another stored {entity.what}"
            elif again:
                message = f"{shown} is given to two {entity.what}s of this import"
            else:
                continue
            problems.append(Problem(str(where[index]), f"{entity.what}.{key}: {message}"))
    return problems


def universe(
    rows: pd.DataFrame, ids: pd.Series, stored: pd.DataFrame, keys: Sequence[str]
) -> pd.DataFrame:
    """What the table holds after the import (identity and keys): import rows replace their match."""
    mine = pd.DataFrame({k: rows.get(k) for k in keys}, index=rows.index)
    mine["identity"] = [
        f"id:{i}" if not pd.isna(i) else f"new:{n}" for n, i in zip(rows.index, ids, strict=True)
    ]
    kept = stored[~stored["id"].isin(set(ids.dropna().astype(int)))]
    theirs = kept[list(keys)].assign(identity=[f"id:{i}" for i in kept["id"]])
    return pd.concat([mine, theirs], ignore_index=True)


def resolve(
    held: pd.DataFrame, values: pd.Series, keys: Sequence[str]
) -> tuple[pd.Series, pd.Series]:
    """Each value's identity in `held` by the first key it matches, and how many it matched there."""
    identity = pd.Series([None] * len(values), index=values.index, dtype=object)
    matches = pd.Series(0, index=values.index, dtype="int64")
    for key in keys:
        pending = identity.isna().to_numpy() & (matches == 0).to_numpy() & values.notna().to_numpy()
        if not pending.any():
            break
        candidates = pd.DataFrame({"value": _normal(key, held[key]), "identity": held["identity"]})
        candidates = candidates.dropna().drop_duplicates()
        counts = candidates.groupby("value")["identity"].agg(["nunique", "first"])
        probe = _normal(key, values[pending])
        found = counts.reindex(probe.to_numpy())
        n = found["nunique"].fillna(0).astype("int64").to_numpy()
        rows = np.flatnonzero(pending)
        matches.iloc[rows] = pd.Series(n, dtype="int64")
        identity.iloc[rows] = [
            f if c == 1 else None for f, c in zip(found["first"], n, strict=True)
        ]
    return identity, matches


def _reference_problems(
    held: pd.DataFrame, reference: Reference, entity: KeyedEntity
) -> list[Problem]:
    if reference.column not in reference.frame:
        return []
    values = reference.frame[reference.column]
    _, matches = resolve(held, values, entity.keys)
    where = reference.frame.get(f"_where_{reference.column}", reference.frame["_where"])
    problems = []
    for value, n, at in zip(values, matches, where, strict=True):
        if pd.isna(value) or n == 1:
            continue
        if n == 0 and entity.personal:
            message = f"no {entity.what} with this key is in this import or in the database"
        elif n == 0:
            message = f"{entity.what} {value!r} is neither in this import nor in the database"
        else:
            shown = "this key" if entity.personal else repr(value)
            message = f"{shown} names {n} {entity.what}s; name it by its {entity.hint}"
        problems.append(Problem(str(at), f"{reference.target}: {message}"))
    return problems


def plan_keyed(
    connection: Connection,
    entity: KeyedEntity,
    rows: pd.DataFrame,
    references: Sequence[Reference] = (),
) -> KeyedPlan:
    """Match the import's rows to stored ones and check every reference; nothing is written."""
    named = [rows[k] for k in entity.keys if k in rows]
    named += [r.frame[r.column] for r in references if r.column in r.frame]
    values = pd.concat(named, ignore_index=True).tolist() if named else []
    stored = stored_rows(connection, entity, values)
    if len(rows):
        ids, problems = _match(rows, stored, entity)
        problems += _conflicts(rows, ids, stored, entity)
    else:
        ids, problems = pd.Series(dtype="Int64"), []
    held = universe(rows, ids, stored, entity.keys)
    for reference in references:
        problems += _reference_problems(held, reference, entity)
    return KeyedPlan(ids, held, problems)


def ids_for(connection: Connection, entity: KeyedEntity, values: pd.Series) -> pd.Series:
    """The stored id each value names (missing where it names none), in the match order."""
    stored = stored_rows(connection, entity, values.tolist())
    held = stored[list(entity.keys)].assign(identity=stored["id"].to_numpy())
    identity, _ = resolve(held, values, entity.keys)
    return pd.to_numeric(identity, errors="coerce").astype("Int64")


def _update_changed(connection: Connection, model: Any, rows: pd.DataFrame) -> None:
    """UPDATE each row by id, only where one of its values differs (a re-import changes nothing)."""
    table = table_of(model)
    columns = [c for c in rows.columns if c != "id"]
    if not len(rows) or not columns:
        return
    params = {c: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns}
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("v_id"),
            or_(*(table.c[c].is_distinct_from(params[c]) for c in columns)),
        )
        .values(params)
    )
    renamed = rows.rename(columns={c: f"v_{c}" for c in rows.columns})
    connection.execute(statement, records(renamed, list(renamed.columns)))


def _kept(
    connection: Connection, entity: KeyedEntity, rows: pd.DataFrame, ids: pd.Series
) -> pd.DataFrame:
    """Rows as written: a key or a required column left empty keeps its stored value (a matched row)
    or takes the column's default (a new one); a row found by its name never loses its domain."""
    table = table_of(entity.model)
    kept = [c for c in rows.columns if c in entity.keys or not table.c[c].nullable]
    if not kept:
        return rows
    rows = rows.copy()
    known = ids.notna().to_numpy()
    stored = lookup(connection, entity.model, "id", ids[known].astype(int).tolist(), *kept)
    for column in kept:
        held = ids.map(stored[column]) if len(stored) else pd.Series(None, index=rows.index)
        rows[column] = rows[column].astype(object).where(rows[column].notna(), held)
        default = table.c[column].default
        if default is not None and getattr(default, "is_scalar", False):
            fill = getattr(default, "arg", None)
            rows[column] = rows[column].where(rows[column].notna(), fill)
    return rows


def write_keyed(
    connection: Connection, entity: KeyedEntity, rows: pd.DataFrame, ids: pd.Series
) -> pd.Series:
    """Update the matched rows (where they differ) and insert the others; every row's id."""
    table = table_of(entity.model)
    ids = ids.copy()
    rows = _kept(connection, entity, rows, ids)
    known = ids.notna().to_numpy()
    _update_changed(connection, entity.model, rows[known].assign(id=ids[known].astype(int)))
    if (~known).any():
        fresh = records(rows[~known], list(rows.columns))
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids[~known] = [row[0] for row in connection.execute(statement, fresh)]
    return ids
