"""Write canonical frames into the database in dependency order, on the caller's transaction.

Everything happens on one connection inside the caller's transaction, so a failure anywhere
leaves the database as it was. Rows are upserted by natural key (scoring.sources.upsert); imports
never delete. A contact gets a lifecycle history row when it is created or its stage changes, and
each won contact one closed-won opportunity keyed `<contact external_id>:won`. Reps, accounts,
products and imported opportunities are written by scoring.sources.crm_load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, update

from scoring.db.models import Campaign, Contact, Opportunity, Touch
from scoring.sources.crm_ids import write_crm_ids
from scoring.sources.crm_load import (
    CrmPlan,
    write_accounts,
    write_opportunities,
    write_products,
    write_reps,
)
from scoring.sources.events import insert_events
from scoring.sources.fields import CRM_PREFIX
from scoring.sources.frames import CanonicalFrames
from scoring.sources.keyed import ACCOUNTS, ids_for
from scoring.sources.stages import StagePlan
from scoring.sources.upsert import (
    Progress,
    ids_by_key,
    ignore_progress,
    lookup,
    records,
    table_of,
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
    reps: int = 0
    products: int = 0
    opportunity_stage_changes: int = 0


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
    "deal_won",
    "closed_at",
    "amount",
    "stage_at",
    "disqualification_reason",
    "account",
    "campaign",
)


def _stored_contacts(held: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Stored id and creation time of each imported contact (missing for new ones)."""
    return held["id"].astype("Int64"), _times(held["created_at"])


def _contact_rows(
    contacts: pd.DataFrame,
    stage: pd.Series,
    old_created: pd.Series,
    run_time: datetime,
    references: dict[str, pd.Series],
) -> pd.DataFrame:
    frame = contacts[_data(contacts, _NOT_CONTACT_COLUMNS)].copy()
    frame["lifecycle_stage"] = stage.to_numpy()
    created = _times(contacts["created_at"]).fillna(old_created)
    frame["created_at"] = created.fillna(pd.Timestamp(run_time))
    frame["updated_at"] = pd.Timestamp(run_time)
    if "do_not_contact" in frame:
        frame["do_not_contact"] = frame["do_not_contact"].fillna(False)
    if "account" in contacts:
        frame["account_id"] = references["account"].to_numpy()
    if "campaign" in contacts:
        frame["original_campaign_id"] = contacts["campaign"].map(references["campaign"])
        frame["original_campaign_id"] = frame["original_campaign_id"].astype("Int64")
    return frame


def _history(
    connection: Connection,
    plan: StagePlan,
    ids: pd.Series,
    actor: str,
    run_time: datetime,
    contract_version: str | None,
) -> int:
    """The plan's history rows, in bulk; and the stage of stored contacts only the history names."""
    steps = plan.steps
    if len(plan.moved):
        moved = plan.moved.assign(updated_at=pd.Timestamp(run_time))
        connection.execute(
            update(table_of(Contact))
            .where(table_of(Contact).c.id == bindparam("contact"))
            .values(lifecycle_stage=bindparam("stage"), updated_at=bindparam("moment")),
            records(moved.rename(columns={"id": "contact", "updated_at": "moment"}),
                    ["contact", "stage", "moment"]),
        )  # fmt: skip
    if not len(steps):
        return 0
    events = pd.DataFrame(
        {
            "contact_id": steps["contact"].map(ids).astype("Int64"),
            "from_stage": steps["from_stage"],
            "to_stage": steps["to_stage"],
            "occurred_at": _times(steps["at"]).fillna(pd.Timestamp(run_time)),
            "actor": actor,
            "reason_code": steps["reason_code"],
            "note": steps["note"],
            "contract_version": contract_version,
        }
    )
    insert_events(connection, events)
    return len(events)


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


def _ids_by_key(contacts: pd.DataFrame, ids: pd.Series, stored: pd.DataFrame) -> pd.Series:
    """Contact id by external id: the imported contacts, then stored ones named by the history."""
    keys = contacts.get("external_id", pd.Series(dtype=object))
    found = pd.Series(ids.to_numpy(), index=keys.to_numpy(), dtype="Int64")
    if len(stored):
        found = pd.concat([found, stored["id"].astype("Int64")])
    return found[~found.index.duplicated()]


def write_frames(
    connection: Connection,
    frames: CanonicalFrames,
    plan: StagePlan,
    *,
    actor: str,
    run_time: datetime,
    crm: CrmPlan,
    contract_version: str | None = None,
    progress: Progress = ignore_progress,
) -> Written:
    """Upsert every frame in dependency order on `connection` (the caller owns the transaction)."""
    contacts, touches = frames.contacts, frames.touches
    written = {
        "reps": write_reps(connection, frames.reps, crm.reps),
        "accounts": write_accounts(connection, frames.accounts, crm.accounts),
        "products": write_products(connection, frames.products, progress),
        "campaigns": len(frames.campaigns),
        "touches": 0,
    }
    _write_keyed(connection, frames.campaigns, Campaign, "code", progress, "campaigns")
    codes = pd.concat(
        [
            contacts.get("campaign", pd.Series(dtype=object)),
            touches.get("campaign", pd.Series(dtype=object)),
        ]
    )
    references = {
        "account": ids_for(connection, ACCOUNTS, contacts.get("account", pd.Series(dtype=object))),
        "campaign": ids_by_key(connection, Campaign, "code", codes),
    }
    ids = pd.Series(dtype="Int64")
    if len(contacts):
        old_id, old_created = _stored_contacts(plan.held)
        rows = _contact_rows(contacts, plan.stage, old_created, run_time, references)
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
        written["opportunities"] = _outcomes(connection, contacts, rows, ids, progress)
        written["crm_ids"] = write_crm_ids(connection, contacts, ids, run_time)
    deals, changes = write_opportunities(
        connection, frames.opportunities, actor=actor, run_time=run_time, progress=progress
    )
    written["opportunities"] = written.get("opportunities", 0) + deals
    written["opportunity_stage_changes"] = changes
    written["lifecycle_events"] = _history(
        connection, plan, _ids_by_key(contacts, ids, plan.stored), actor, run_time, contract_version
    )
    written["touches"] = _write_touches(connection, touches, references["campaign"], progress)
    return Written(**written)
