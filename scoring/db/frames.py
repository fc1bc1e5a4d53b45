"""Read the canonical tables into pandas frames named for their grain (the dashboard's raw inputs).

Columns come back typed by `read_frame` from the declared column types (datetimes, booleans, numerics).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from scoring.db.models import (
    Account,
    Assignment,
    Campaign,
    Contact,
    LifecycleEvent,
    Opportunity,
    Rep,
    Signal,
    Touch,
)
from scoring.db.reading import read_frame


def read_contacts(engine: Engine) -> pd.DataFrame:
    """One row per contact with its account's segment fields and its original campaign's channel."""
    query = (
        select(
            Contact.id.label("contact_id"),
            Contact.email,
            Contact.first_name,
            Contact.last_name,
            Contact.job_title,
            Contact.seniority,
            Contact.country,
            Contact.lead_source,
            Contact.lifecycle_stage,
            Contact.owner_rep_id,
            Contact.created_at,
            Contact.account_id,
            Account.name.label("account_name"),
            Account.industry,
            Account.employees,
            Account.region,
            Campaign.code.label("campaign"),
            Campaign.channel,
        )
        .outerjoin(Account, Account.id == Contact.account_id)
        .outerjoin(Campaign, Campaign.id == Contact.original_campaign_id)
    )
    contacts = read_frame(engine, query)
    contacts["employees"] = contacts["employees"].astype(float)  # NULL-free columns come back int
    return contacts


def read_lifecycle_events(engine: Engine) -> pd.DataFrame:
    query = select(
        LifecycleEvent.id.label("event_id"),
        LifecycleEvent.contact_id,
        LifecycleEvent.from_stage,
        LifecycleEvent.to_stage,
        LifecycleEvent.occurred_at,
        LifecycleEvent.actor,
        LifecycleEvent.reason_code,
        LifecycleEvent.note,
    ).order_by(LifecycleEvent.contact_id, LifecycleEvent.occurred_at, LifecycleEvent.id)
    return read_frame(engine, query)


def read_campaigns(engine: Engine) -> pd.DataFrame:
    query = select(
        Campaign.id.label("campaign_id"),
        Campaign.code.label("campaign"),
        Campaign.name,
        Campaign.channel,
        Campaign.start_date,
        Campaign.end_date,
        Campaign.cost,
    )
    return read_frame(engine, query, few=True)


def read_opportunities(engine: Engine) -> pd.DataFrame:
    query = select(
        Opportunity.id.label("opportunity_id"),
        Opportunity.primary_contact_id.label("contact_id"),
        Opportunity.amount,
        Opportunity.stage,
        Opportunity.created_at,
        Opportunity.closed_at,
        Opportunity.is_closed,
        Opportunity.is_won,
        Opportunity.lost_reason,
        Opportunity.account_id,
        Opportunity.owner_rep_id,
        Opportunity.product,
        Opportunity.currency,
        Opportunity.engaged_at,
    )
    return read_frame(engine, query)


def read_reps(engine: Engine) -> pd.DataFrame:
    query = select(
        Rep.id.label("rep_id"),
        Rep.email,
        Rep.name,
        Rep.team,
        Rep.territory,
        Rep.external_id,
        Rep.manager,
        Rep.office,
        Rep.weekly_capacity,
        Rep.active,
    )
    return read_frame(engine, query, few=True)


def read_assignments(engine: Engine) -> pd.DataFrame:
    """Every recorded assignment of an MQL to a rep (contact_id, rep_id, team, rule, assigned_at)."""
    query = select(
        Assignment.contact_id,
        Assignment.rep_id,
        Assignment.team,
        Assignment.rule,
        Assignment.assigned_at,
    )
    return read_frame(engine, query)


def read_lead_touches(engine: Engine, contact_id: int) -> pd.DataFrame:
    """One contact's touches, oldest first (kind, occurred_at, campaign code, asset)."""
    query = (
        select(
            Touch.occurred_at,
            Touch.kind,
            Campaign.code.label("campaign"),
            Touch.asset,
        )
        .outerjoin(Campaign, Campaign.id == Touch.campaign_id)
        .where(Touch.contact_id == contact_id)
        .order_by(Touch.occurred_at, Touch.id)
    )
    return read_frame(engine, query)


def read_lead_signals(engine: Engine, contact_id: int) -> pd.DataFrame:
    """One contact's signals (score changes, assignment, handoff, CRM feedback), oldest first."""
    query = (
        select(Signal.occurred_at, Signal.kind, Signal.source, Signal.data)
        .where(Signal.contact_id == contact_id)
        .order_by(Signal.occurred_at, Signal.id)
    )
    return read_frame(engine, query)
