"""Write canonical frames into the database in dependency order, on the caller's transaction.

Everything happens on one connection inside the caller's transaction, so a failure anywhere
leaves the database as it was. Rows are upserted by natural key (scoring.sources.upsert); imports
never delete. A contact gets a lifecycle history row when it is created or its stage changes, and
each won contact one closed-won opportunity keyed `<contact external_id>:won`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert

from scoring.db.models import (
    Account,
    Campaign,
    Contact,
    LifecycleEvent,
    Opportunity,
    Touch,
)
from scoring.sources.crm_ids import write_crm_ids
from scoring.sources.fields import CRM_PREFIX
from scoring.sources.frames import CanonicalFrames
from scoring.sources.upsert import (
    BATCH,
    Progress,
    ids_by_key,
    ignore_progress,
    lookup,
    records,
    upsert,
)


@dataclass(frozen=True)
class Written:
    """Rows an import wrote or confirmed, per table."""

    accounts: int = 0
    campaigns: int = 0
    contacts: int = 0
    new_contacts: int = 0
    touches: int = 0
    opportunities: int = 0
    lifecycle_events: int = 0
    crm_ids: int = 0


def _data(frame: pd.DataFrame, skip: tuple[str, ...] = ()) -> list[str]:
    return [
        c for c in frame.columns if not str(c).startswith(("_where", CRM_PREFIX)) and c not in skip
    ]


def _write_keyed(
    connection: Connection,
    frame: pd.DataFrame,
    model: Any,
    key: str,
    progress: Progress,
    phase: str,
) -> None:
    """Upsert accounts or campaigns; a row without a name keeps its stored name, else takes its key."""
    if not len(frame):
        return
    rows = frame[_data(frame)].copy()
    nameless = rows["name"].isna()
    if nameless.any():
        stored = lookup(connection, model, key, rows.loc[nameless, key], "name")["name"]
        rows["name"] = rows["name"].fillna(rows[key].map(stored)).fillna(rows[key])
    upsert(connection, model, key, records(rows, list(rows.columns)), progress, phase)


def _times(values: pd.Series) -> pd.Series:
    """Naive timestamps at microsecond resolution (what both databases store)."""
    return pd.to_datetime(values).astype("datetime64[us]")


_NOT_CONTACT_COLUMNS = (
    "won",
    "closed_at",
    "amount",
    "stage_at",
    "disqualification_reason",
    "account",
    "campaign",
)


def _stored_contacts(
    connection: Connection, contacts: pd.DataFrame
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Stored id, stage and creation time of each imported contact (missing for new ones)."""
    stored = lookup(
        connection,
        Contact,
        "external_id",
        contacts["external_id"],
        "id",
        "lifecycle_stage",
        "created_at",
    )
    keys = contacts["external_id"]
    if not len(stored):
        blank = pd.Series([None] * len(contacts), index=contacts.index, dtype=object)
        return blank.astype("Int64"), blank, _times(blank)
    return (
        keys.map(stored["id"]).astype("Int64"),
        keys.map(stored["lifecycle_stage"]).astype(object),
        _times(keys.map(stored["created_at"])),
    )


def _contact_rows(
    contacts: pd.DataFrame,
    old_stage: pd.Series,
    old_created: pd.Series,
    run_time: datetime,
    references: dict[str, pd.Series],
) -> pd.DataFrame:
    frame = contacts[_data(contacts, _NOT_CONTACT_COLUMNS)].copy()
    frame["lifecycle_stage"] = contacts["lifecycle_stage"].fillna(old_stage).fillna("lead")
    created = _times(contacts["created_at"]).fillna(old_created)
    frame["created_at"] = created.fillna(pd.Timestamp(run_time))
    frame["updated_at"] = pd.Timestamp(run_time)
    if "do_not_contact" in frame:
        frame["do_not_contact"] = frame["do_not_contact"].fillna(False)
    for column, target in (("account", "account_id"), ("campaign", "original_campaign_id")):
        if column in contacts:
            frame[target] = contacts[column].map(references[column]).astype("Int64")
    return frame


def _history(
    connection: Connection,
    contacts: pd.DataFrame,
    ids: pd.Series,
    old_stage: pd.Series,
    stage: pd.Series,
    actor: str,
    run_time: datetime,
) -> int:
    changed = (old_stage.isna() | (old_stage != stage)).to_numpy(dtype=bool)
    events = pd.DataFrame(
        {
            "contact_id": ids[changed],
            "from_stage": old_stage[changed],
            "to_stage": stage[changed],
            "occurred_at": _times(contacts["stage_at"][changed]).fillna(pd.Timestamp(run_time)),
            "actor": actor,
            "reason_code": contacts["disqualification_reason"][changed],
        }
    )
    rows = records(events, list(events.columns))
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(LifecycleEvent), rows[start : start + BATCH])
    return len(rows)


def _outcomes(
    connection: Connection,
    contacts: pd.DataFrame,
    rows: pd.DataFrame,
    ids: pd.Series,
    progress: Progress,
) -> int:
    """Each won contact gets one closed-won opportunity, keyed `<contact external_id>:won`."""
    if "won" not in contacts:
        return 0
    won = contacts["won"].fillna(False).astype(bool).to_numpy()
    source = contacts[won]
    opportunities = pd.DataFrame(
        {
            "external_id": source["external_id"].astype(object) + ":won",
            "primary_contact_id": ids[won],
            "stage": "closed_won",
            "is_closed": True,
            "is_won": True,
            "created_at": _times(source.get("closed_at", rows["created_at"][won])).fillna(
                rows["created_at"][won]
            ),
        }
    )
    for column in ("closed_at", "amount"):
        if column in source:
            opportunities[column] = source[column]
    if "account_id" in rows:
        opportunities["account_id"] = rows["account_id"][won]
    upsert(
        connection,
        Opportunity,
        "external_id",
        records(opportunities, list(opportunities.columns)),
        progress,
        "opportunities",
    )
    return len(opportunities)


def _write_touches(
    connection: Connection, touches: pd.DataFrame, campaigns: pd.Series, progress: Progress
) -> int:
    if not len(touches):
        return 0
    frame = touches[_data(touches, ("contact", "campaign"))].copy()
    frame["contact_id"] = (
        touches["contact"]
        .map(ids_by_key(connection, Contact, "external_id", touches["contact"]))
        .astype("Int64")
    )
    if "campaign" in touches:
        frame["campaign_id"] = touches["campaign"].map(campaigns).astype("Int64")
    upsert(
        connection, Touch, "external_id", records(frame, list(frame.columns)), progress, "touches"
    )
    return len(frame)


def write_frames(
    connection: Connection,
    frames: CanonicalFrames,
    *,
    actor: str,
    run_time: datetime,
    progress: Progress = ignore_progress,
) -> Written:
    """Upsert every frame in dependency order on `connection` (the caller owns the transaction)."""
    contacts, touches = frames.contacts, frames.touches
    _write_keyed(connection, frames.accounts, Account, "domain", progress, "accounts")
    _write_keyed(connection, frames.campaigns, Campaign, "code", progress, "campaigns")
    codes = pd.concat(
        [
            contacts.get("campaign", pd.Series(dtype=object)),
            touches.get("campaign", pd.Series(dtype=object)),
        ]
    )
    references = {
        "account": ids_by_key(
            connection, Account, "domain", contacts.get("account", pd.Series(dtype=object))
        ),
        "campaign": ids_by_key(connection, Campaign, "code", codes),
    }
    written = {"accounts": len(frames.accounts), "campaigns": len(frames.campaigns), "touches": 0}
    if len(contacts):
        old_id, old_stage, old_created = _stored_contacts(connection, contacts)
        rows = _contact_rows(contacts, old_stage, old_created, run_time, references)
        upsert(
            connection,
            Contact,
            "external_id",
            records(rows, list(rows.columns)),
            progress,
            "contacts",
        )
        new = old_id.isna().to_numpy()
        ids = old_id.copy()
        ids[new] = (
            contacts["external_id"][new]
            .map(ids_by_key(connection, Contact, "external_id", contacts["external_id"][new]))
            .astype("Int64")
        )
        written["contacts"], written["new_contacts"] = len(contacts), int(new.sum())
        written["lifecycle_events"] = _history(
            connection, contacts, ids, old_stage, rows["lifecycle_stage"], actor, run_time
        )
        written["opportunities"] = _outcomes(connection, contacts, rows, ids, progress)
        written["crm_ids"] = write_crm_ids(connection, contacts, ids, run_time)
    written["touches"] = _write_touches(connection, touches, references["campaign"], progress)
    return Written(**written)
