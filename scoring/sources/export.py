"""Read the canonical model back as frames keyed by natural keys, and write them as canonical CSV files.

The inverse of the `canonical` profile: `write_canonical_csv(read_canonical(engine), folder)` gives
files that `smarketing import canonical` loads into an equal database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from scoring.db.models import Account, Campaign, Contact, LifecycleEvent, Opportunity, Touch
from scoring.sources.frames import CITING_STAGES, ENTITY_FRAMES, CanonicalFrames

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "accounts": (
        "domain",
        "name",
        "industry",
        "employees",
        "annual_revenue",
        "country",
        "region",
        "created_at",
    ),
    "campaigns": ("code", "name", "channel", "start_date", "end_date", "cost"),
    "contacts": (
        "external_id",
        "email",
        "first_name",
        "last_name",
        "job_title",
        "seniority",
        "department",
        "phone",
        "country",
        "lead_source",
        "account",
        "campaign",
        "lifecycle_stage",
        "disqualification_reason",
        "do_not_contact",
        "created_at",
        "attributes",
        "won",
        "closed_at",
        "amount",
    ),
    "touches": ("external_id", "contact", "campaign", "kind", "occurred_at", "url", "asset"),
}
OUTCOME_SUFFIX = ":won"


def _frame(connection: Connection, query: Any, columns: Sequence[str]) -> pd.DataFrame:
    rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns), dtype=object)


def _contacts(connection: Connection) -> pd.DataFrame:
    plain = [c for c in COLUMNS["contacts"][:10]]
    query = (
        select(
            Contact.id,
            *(Contact.__table__.c[c] for c in plain),
            Account.domain,
            Campaign.code,
            Contact.lifecycle_stage,
            Contact.do_not_contact,
            Contact.created_at,
            Contact.attributes,
        )
        .outerjoin(Account, Contact.account_id == Account.id)
        .outerjoin(Campaign, Contact.original_campaign_id == Campaign.id)
        .order_by(Contact.external_id)
    )
    names = [
        "id",
        *plain,
        "account",
        "campaign",
        "lifecycle_stage",
        "do_not_contact",
        "created_at",
        "attributes",
    ]
    contacts = _frame(connection, query, names)
    events = _frame(
        connection,
        select(LifecycleEvent.contact_id, LifecycleEvent.to_stage, LifecycleEvent.reason_code)
        .where(LifecycleEvent.to_stage.in_(CITING_STAGES))
        .order_by(LifecycleEvent.occurred_at, LifecycleEvent.id),
        ["id", "stage", "reason"],
    )
    latest = events.drop_duplicates("id", keep="last").set_index("id")
    # The reason the contact's stage cites: its latest move into that stage (disqualified, nurture).
    cited = contacts["id"].map(latest["stage"]) == contacts["lifecycle_stage"]
    reason = contacts["id"].map(latest["reason"])
    contacts["disqualification_reason"] = reason.where(cited, None)
    won = _frame(
        connection,
        select(Opportunity.external_id, Opportunity.closed_at, Opportunity.amount).where(
            Opportunity.is_won, Opportunity.external_id.like(f"%{OUTCOME_SUFFIX}")
        ),
        ["key", "closed_at", "amount"],
    ).set_index("key")
    keys = contacts["external_id"] + OUTCOME_SUFFIX
    contacts["won"] = keys.isin(won.index)
    contacts["closed_at"] = keys.map(won["closed_at"])
    contacts["amount"] = keys.map(won["amount"])
    return contacts[list(COLUMNS["contacts"])].astype(object).where(contacts.notna(), None)


def read_canonical(engine: Engine) -> CanonicalFrames:
    """Every account (with a domain), campaign, contact and touch, ordered by natural key."""
    with engine.connect() as connection:
        accounts = _frame(
            connection,
            select(*(Account.__table__.c[c] for c in COLUMNS["accounts"]))
            .where(Account.domain.is_not(None))
            .order_by(Account.domain),
            COLUMNS["accounts"],
        )
        campaigns = _frame(
            connection,
            select(*(Campaign.__table__.c[c] for c in COLUMNS["campaigns"])).order_by(
                Campaign.code
            ),
            COLUMNS["campaigns"],
        )
        touches = _frame(
            connection,
            select(
                Touch.external_id,
                Contact.external_id,
                Campaign.code,
                Touch.kind,
                Touch.occurred_at,
                Touch.url,
                Touch.asset,
            )
            .join(Contact, Touch.contact_id == Contact.id)
            .outerjoin(Campaign, Touch.campaign_id == Campaign.id)
            .where(Touch.external_id.is_not(None))
            .order_by(Touch.external_id),
            COLUMNS["touches"],
        )
        contacts = _contacts(connection)
    return CanonicalFrames(accounts, campaigns, contacts, touches)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_canonical_csv(frames: CanonicalFrames, folder: Path) -> dict[str, Path]:
    """One CSV per entity in `folder` (accounts.csv, ...), in the `canonical` profile's columns."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for entity in ENTITY_FRAMES:
        columns = list(COLUMNS[entity])
        frame = frames.frame(entity).reindex(columns=columns)
        path = folder / f"{entity}.csv"
        # CRLF rows: the csv module then quotes every value holding a \r or a \n.
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            for row in frame[columns].itertuples(index=False, name=None):
                writer.writerow([_cell(v) for v in row])
        paths[entity] = path
    return paths
