"""Assemble a chunk's arrays into frames shaped like the canonical tables (plus hidden columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.sources.demo import clock
from scoring.sources.demo import market as m
from scoring.sources.demo.activity import Activity
from scoring.sources.demo.firmographics import Firms
from scoring.sources.demo.history import RULEBOOK_VERSION, Events
from scoring.sources.demo.outcomes import Journey
from scoring.sources.demo.people import NO_ACCOUNT, People
from scoring.sources.demo.sampling import none_where

HIDDEN_COLUMNS = ("propensity",)
"""Columns of the simulated frames that are not table columns (never written)."""


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    """A frame whose text columns stay plain Python strings (object dtype): no Arrow round trip."""
    converted = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind in "OU":
            values = pd.Series(values.astype(object, copy=False), dtype=object, copy=False)
        converted[name] = values
    return pd.DataFrame(converted)


def nullable(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), missing.copy())


def _ids(first: int, count: int) -> np.ndarray:
    return np.arange(first, first + count, dtype=np.int64)


def contact_employees(people: People, firms: Firms) -> np.ndarray:
    """True employee count of each contact's account (0 when unknown or none)."""
    employees = firms.employees[np.maximum(people.account, 0)]
    return np.where(people.account != NO_ACCOUNT, employees, 0)


def visible_account(people: People, firms: Firms) -> tuple[np.ndarray, np.ndarray]:
    firm_ids = firms.id[np.maximum(people.account, 0)]
    account_id = np.where(people.account != NO_ACCOUNT, firm_ids, 0)
    account_id = np.where(people.competitor >= 0, people.competitor + 1, account_id)
    return account_id, account_id == 0


def accounts_frame(rng, firms: Firms, owners, people: People, created, competitors) -> pd.DataFrame:
    """Accounts (competitors first in the first chunk); created a little before their first lead."""
    first_lead = np.full(len(firms.id), clock.NOW_S, dtype=np.int64)
    np.minimum.at(first_lead, people.account[people.account >= 0], created[people.account >= 0])
    spare = clock.START_S + rng.integers(0, clock.DAYS * clock.DAY, len(firms.id))
    created_at = np.where(first_lead < clock.NOW_S, first_lead, spare)
    created_at = created_at - rng.integers(0, 60 * clock.DAY, len(firms.id))
    frame = _accounts(firms, owners, created_at)
    if competitors is None:
        return frame
    since = np.full(len(competitors.id), clock.START_S - 400 * clock.DAY)
    head = _accounts(competitors, np.zeros(len(competitors.id), np.int64), since)
    return pd.concat([head, frame], ignore_index=True)


def _accounts(firms: Firms, owners: np.ndarray, created_at: np.ndarray) -> pd.DataFrame:
    return _frame(
        {
            "id": firms.id,
            "name": firms.name,
            "domain": firms.domain,
            "industry": none_where(~firms.shown_industry, m.INDUSTRY_NAMES[firms.industry]),
            "employees": nullable(firms.employees, ~firms.shown_employees),
            "annual_revenue": pd.arrays.FloatingArray(firms.revenue, ~firms.shown_revenue),
            "country": none_where(~firms.shown_country, m.COUNTRY_CODES[firms.country]),
            "region": none_where(~firms.shown_country, m.REGION_NAMES[firms.region]),
            "owner_rep_id": nullable(owners, owners == 0),
            "created_at": clock.to_datetime(created_at),
        }
    )


def contacts_frame(
    people: People,
    firms: Firms,
    ids: np.ndarray,
    created: np.ndarray,
    campaign: np.ndarray,
    events: Events,
    activity: Activity,
    owner: np.ndarray,
    journey: Journey,
) -> pd.DataFrame:
    account_id, no_account = visible_account(people, firms)
    return _frame(
        {
            "id": ids,
            "external_id": np.strings.add("demo-", np.strings.zfill(ids.astype(str), 8)),
            "email": people.email,
            "first_name": people.first,
            "last_name": people.last,
            "job_title": people.shown_title,
            "seniority": people.seniority,
            "department": people.department,
            "phone": people.phone,
            "country": people.country,
            "lead_source": people.lead_source,
            "account_id": nullable(account_id, no_account),
            "original_campaign_id": campaign + 1,
            "lifecycle_stage": events.final_stage,
            "owner_rep_id": nullable(owner, owner == 0),
            "do_not_contact": activity.unsubscribed,
            "created_at": clock.to_datetime(created),
            "updated_at": clock.to_datetime(np.maximum(events.last_at, activity.last)),
            "propensity": journey.propensity,
        }
    )


def touches_frame(activity: Activity, contact_ids: np.ndarray, first_id: int) -> pd.DataFrame:
    count = len(activity.contact)
    return _frame(
        {
            "id": _ids(first_id, count),
            "contact_id": contact_ids[activity.contact],
            "campaign_id": nullable(activity.campaign + 1, activity.campaign < 0),
            "kind": activity.kind,
            "occurred_at": clock.to_datetime(activity.occurred_at),
            "url": activity.url,
            "asset": activity.asset,
        }
    )


def events_frame(events: Events, contact_ids: np.ndarray, first_id: int) -> pd.DataFrame:
    count = len(events.contact)
    return _frame(
        {
            "id": _ids(first_id, count),
            "contact_id": contact_ids[events.contact],
            "from_stage": events.from_stage,
            "to_stage": events.to_stage,
            "occurred_at": clock.to_datetime(events.occurred_at),
            "actor": events.actor,
            "reason_code": events.reason_code,
            "note": events.note,
            "rulebook_version": np.full(count, RULEBOOK_VERSION, dtype=object),
        }
    )


def opportunities_frame(
    deals: dict[str, np.ndarray],
    people: People,
    firms: Firms,
    contact_ids: np.ndarray,
    contact_rep: np.ndarray,
    first_id: int,
) -> pd.DataFrame:
    rows = deals["contact"]
    ids = _ids(first_id, len(rows))
    account_id, no_account = visible_account(people, firms)
    names = _account_names(people, firms)[rows]
    return _frame(
        {
            "id": ids,
            "external_id": np.strings.add("demo-opp-", np.strings.zfill(ids.astype(str), 7)),
            "account_id": nullable(account_id[rows], no_account[rows]),
            "primary_contact_id": contact_ids[rows],
            "owner_rep_id": contact_rep[rows],
            "name": np.strings.add(names.astype(str), " – new business").astype(object),
            "amount": deals["amount"],
            "stage": deals["stage"],
            "created_at": clock.to_datetime(deals["created_at"]),
            "closed_at": clock.to_datetime(deals["closed_at"]),
            "is_closed": deals["is_closed"],
            "is_won": deals["is_won"],
            "lost_reason": deals["lost_reason"],
        }
    )


def _account_names(people: People, firms: Firms) -> np.ndarray:
    competitor_names = np.array([x[0] for x in m.COMPETITORS], dtype=object)
    names = np.where(
        people.account != NO_ACCOUNT, firms.name[np.maximum(people.account, 0)], people.last
    )
    names = np.where(
        people.competitor >= 0, competitor_names[np.maximum(people.competitor, 0)], names
    )
    return np.where(pd.isna(names), "Unknown", names)
