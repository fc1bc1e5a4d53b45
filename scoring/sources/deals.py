"""Opportunity and product rows of a record (pure), and the contacts that won opportunities make won.

An opportunity belongs to an account (`opportunity.account`, otherwise the record's own account),
optionally to a contact (`opportunity.contact`, otherwise the record's contact) and to an owner rep
(`opportunity.owner`). Its `status` says what its source-specific `stage` means: open, won or lost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.sources.accounts import account_reference
from scoring.sources.records import Issue, Record, locate, required

OPPORTUNITY_COLUMNS = (
    "name",
    "stage",
    "status",
    "created_at",
    "engaged_at",
    "closed_at",
    "amount",
    "currency",
    "product",
    "lost_reason",
)
PRODUCT_COLUMNS = ("series", "list_price")
STATUS_STAGES = {"open": "open", "won": "closed_won", "lost": "closed_lost"}
"""The stage of an opportunity whose source gives only its status."""


def _references(record: Record) -> tuple[dict[str, pd.Series], dict[str, str]]:
    values = record.values
    frame: dict[str, pd.Series] = {}
    checked: dict[str, str] = {}
    if "opportunity.account" in values:
        frame["account"], checked["account"] = values["opportunity.account"], "opportunity.account"
    elif (own := account_reference(record)) is not None:
        frame["account"], checked["account"] = own
    contact = "opportunity.contact" if "opportunity.contact" in values else "contact.external_id"
    if contact in values:
        frame["contact"], checked["contact"] = values[contact], contact
    if "opportunity.owner" in values:
        frame["owner"], checked["owner"] = values["opportunity.owner"], "opportunity.owner"
    return frame, checked


def opportunity_rows(record: Record) -> tuple[pd.DataFrame | None, list[Issue]]:
    """One opportunity per row; its external id and status are required."""
    values = record.values
    if "opportunity.external_id" not in values:
        return None, []
    frame, checked = _references(record)
    frame["external_id"] = values["opportunity.external_id"]
    for column in OPPORTUNITY_COLUMNS:
        if f"opportunity.{column}" in values:
            frame[column] = values[f"opportunity.{column}"]
    issues = required(record, "opportunity.external_id")
    if "opportunity.status" in values:
        issues += required(record, "opportunity.status")
    checked.update({c: f"opportunity.{c}" for c in ("external_id", "status", "product", "stage")})
    locate(frame, record, {c: t for c, t in checked.items() if t in values})
    return pd.DataFrame(frame), issues


def product_rows(record: Record) -> pd.DataFrame | None:
    """The products of a price list, by name (not merged yet)."""
    names = record.values.get("product.name")
    if names is None:
        return None
    frame: dict[str, pd.Series] = {"name": names}
    for column in PRODUCT_COLUMNS:
        if f"product.{column}" in record.values:
            frame[column] = record.values[f"product.{column}"]
    locate(frame, record, {"name": "product.name"})
    return pd.DataFrame(frame)[names.notna().to_numpy(dtype=bool)]


def won_contacts(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Per contact of a won opportunity: its earliest close and where the first win was read."""
    if not len(opportunities) or "contact" not in opportunities or "status" not in opportunities:
        return pd.DataFrame(columns=["contact", "closed_at", "_where"])
    won = opportunities[
        (opportunities["status"] == "won").fillna(False).to_numpy(dtype=bool)
        & opportunities["contact"].notna().to_numpy(dtype=bool)
    ]
    closed = won["closed_at"] if "closed_at" in won else pd.Series(pd.NaT, index=won.index)
    where = won.get("_where_status", won["_where"])
    rows = pd.DataFrame(
        {
            "contact": won["contact"].to_numpy(),
            "closed_at": pd.to_datetime(closed).astype("datetime64[us]").to_numpy(),
            "_where": where.to_numpy(),
            "_where_line": won["_where_line"].to_numpy(),
            "_where_order": won["_where_order"].to_numpy(),
        }
    )
    first = rows.groupby("contact", sort=False).agg(
        closed_at=("closed_at", "min"),
        _where=("_where", "first"),
        _where_line=("_where_line", "first"),
        _where_order=("_where_order", "first"),
    )
    return first.reset_index()


def mark_won(contacts: pd.DataFrame, won: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contacts of won opportunities become customers (through the contract, like `outcome.won`).

    Returns the contacts frame with its won rows marked (`deal_won`, stage `customer`, stage date
    at the earliest close) and a minimal contacts frame for the other won contacts: stored ones
    that this import names only through their opportunities.
    """
    if not len(won):
        return contacts, pd.DataFrame()
    keys = contacts.get("external_id", pd.Series(dtype=object))
    inside = won["contact"].isin(set(keys.dropna())).to_numpy(dtype=bool)
    if len(contacts):
        contacts = contacts.copy()
        by_key = won[inside].set_index("contact")
        hit = keys.isin(by_key.index).to_numpy(dtype=bool)
        contacts["deal_won"] = hit
        contacts["lifecycle_stage"] = contacts["lifecycle_stage"].mask(hit, "customer")
        closed = keys.map(by_key["closed_at"])
        stage_at = pd.to_datetime(contacts["stage_at"]).astype("datetime64[us]")
        contacts["stage_at"] = stage_at.where(~hit | closed.isna().to_numpy(), closed)
        where = keys.map(by_key["_where"])
        previous = contacts.get("_where_lifecycle_stage", contacts["_where"])
        contacts["_where_lifecycle_stage"] = where.where(hit, previous)
        contacts["disqualification_reason"] = contacts["disqualification_reason"].mask(hit)
    outside = won[~inside]
    extra = pd.DataFrame(
        {
            "external_id": outside["contact"].to_numpy(),
            "lifecycle_stage": "customer",
            "created_at": pd.Series(pd.NaT, index=range(len(outside)), dtype="datetime64[us]"),
            "stage_at": outside["closed_at"].to_numpy(),
            "disqualification_reason": np.full(len(outside), None, dtype=object),
            "deal_won": True,
            "_where": outside["_where"].to_numpy(),
            "_where_line": outside["_where_line"].to_numpy(),
            "_where_order": outside["_where_order"].to_numpy(),
            "_where_lifecycle_stage": outside["_where"].to_numpy(),
        }
    )
    return contacts, extra
