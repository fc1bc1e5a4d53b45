"""Checks only the stored data can answer: emails taken by other contacts, references to unknown rows.

References to accounts and reps (named by one of several keys) are checked by
scoring.sources.crm_load.plan_crm.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection

from scoring.db.models import Campaign, Contact
from scoring.errors import Problem
from scoring.sources.fields import UNQUOTED
from scoring.sources.frames import CanonicalFrames
from scoring.sources.upsert import lookup


def _missing_references(
    connection: Connection,
    frame: pd.DataFrame,
    column: str,
    model: Any,
    key: str,
    known: pd.Series,
    what: str,
) -> list[Problem]:
    if column not in frame:
        return []
    wanted = frame[column].dropna()
    unknown = wanted[~wanted.isin(set(known.dropna()))]
    stored = set(lookup(connection, model, key, unknown.unique()).index)
    bad = unknown[~unknown.isin(stored)]
    where = frame[f"_where_{column}"].loc[bad.index]
    return [
        Problem(str(w), f"{what} {value!r} is neither in this import nor in the database")
        for value, w in zip(bad, where, strict=True)
    ]


def _email_conflicts(connection: Connection, contacts: pd.DataFrame) -> list[Problem]:
    if "email" not in contacts:
        return []
    stored = lookup(connection, Contact, "email", contacts["email"].dropna(), "external_id")
    owners = stored["external_id"].to_dict()
    return [
        Problem(where, f"contact.email: {UNQUOTED} already belongs to contact {owners[email]!r}")
        for email, key, where in zip(
            contacts["email"], contacts["external_id"], contacts["_where_email"], strict=True
        )
        if email in owners and owners[email] != key
    ]


def check_against(connection: Connection, frames: CanonicalFrames) -> list[Problem]:
    """Problems only the stored data can reveal: taken emails and references to unknown rows."""
    contacts, touches = frames.contacts, frames.touches
    codes = frames.campaigns.get("code", pd.Series(dtype=object))
    people = contacts.get("external_id", pd.Series(dtype=object))
    return [
        *_email_conflicts(connection, contacts),
        *_missing_references(
            connection, contacts, "campaign", Campaign, "code", codes, "contact.campaign: campaign"
        ),
        *_missing_references(
            connection, touches, "contact", Contact, "external_id", people, "touch.contact: contact"
        ),
        *_missing_references(
            connection, touches, "campaign", Campaign, "code", codes, "touch.campaign: campaign"
        ),
        *_missing_references(
            connection,
            frames.history,
            "contact",
            Contact,
            "external_id",
            people,
            "history.contact: contact",
        ),
        *_missing_references(
            connection,
            frames.opportunities,
            "contact",
            Contact,
            "external_id",
            people,
            "opportunity.contact: contact",
        ),
    ]
