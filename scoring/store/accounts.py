"""Read what the account roll-up needs from the canonical tables, and roll it up as of a moment.

table = account_table(engine, rulebook, as_of=now)                  # `smarketing accounts`
table = account_table(connection, rulebook, as_of=now, account_ids=[7])  # GET /v1/accounts/7
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from scoring.analytics.accounts import account_scores
from scoring.db.models import Account, Contact, Opportunity, Touch
from scoring.db.reading import read_frames
from scoring.rules import evaluate_hits, score
from scoring.rules.spec import Rulebook
from scoring.store.features import read_features


@dataclass(frozen=True)
class AccountInputs:
    """Contacts with an account (and its fields), their last touches, open deals and account owners."""

    contacts: pd.DataFrame
    touches: pd.DataFrame
    opportunities: pd.DataFrame
    owners: pd.DataFrame


def read_account_inputs(
    source: Engine | Connection, *, account_ids: Iterable[int] | None = None
) -> AccountInputs:
    """The roll-up's inputs, for every account or only `account_ids`."""
    contacts_q = select(
        Contact.id.label("contact_id"),
        Contact.account_id,
        Contact.seniority,
        Contact.department,
        Contact.owner_rep_id,
        Account.name.label("account_name"),
        Account.employees,
        Account.region,
    ).join(Account, Account.id == Contact.account_id)
    touches_q = (
        select(Touch.contact_id, func.max(Touch.occurred_at).label("occurred_at"))
        .join(Contact, Contact.id == Touch.contact_id)
        .where(Contact.account_id.is_not(None))
        .group_by(Touch.contact_id)
    )
    deals_q = select(Opportunity.account_id, Opportunity.is_closed, Opportunity.amount).where(
        Opportunity.account_id.is_not(None)
    )
    owners_q = select(
        Account.id.label("account_id"), Account.owner_rep_id.label("account_owner_rep_id")
    )
    if account_ids is not None:
        wanted = sorted({int(i) for i in account_ids})
        contacts_q = contacts_q.where(Contact.account_id.in_(wanted))
        touches_q = touches_q.where(Contact.account_id.in_(wanted))
        deals_q = deals_q.where(Opportunity.account_id.in_(wanted))
        owners_q = owners_q.where(Account.id.in_(wanted))
    contacts, touches, deals, owners = read_frames(
        source, (contacts_q, touches_q, deals_q, owners_q)
    )
    contacts["employees"] = contacts["employees"].astype(float)
    touches["occurred_at"] = pd.to_datetime(touches["occurred_at"])
    return AccountInputs(contacts, touches, deals, owners)


def account_inputs_from(
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
) -> AccountInputs:
    """`read_account_inputs` of every account, from tables already held whole: `contacts`,
    `accounts`, `touches` as `scoring.training_data.read_lead_sources` reads them (every column
    of the first two; contact_id and occurred_at of touches) and `opportunities` with
    account_id, is_closed and amount."""
    fields = accounts[["id", "name", "employees", "region"]].rename(
        columns={"id": "account_id", "name": "account_name"}
    )
    people = contacts.loc[
        contacts["account_id"].notna(),
        ["id", "account_id", "seniority", "department", "owner_rep_id"],
    ].rename(columns={"id": "contact_id"})
    people = people.astype({"account_id": accounts["id"].dtype})
    people = people.merge(fields, on="account_id", how="inner", sort=False)
    people["employees"] = people["employees"].astype(float)
    with_account = touches["contact_id"].isin(people["contact_id"]).to_numpy()
    last = (
        touches.loc[with_account, ["contact_id", "occurred_at"]]
        .groupby("contact_id", sort=False)["occurred_at"]
        .max()
        .reset_index()
    )
    last["occurred_at"] = pd.to_datetime(last["occurred_at"])
    deals = opportunities.loc[
        opportunities["account_id"].notna(), ["account_id", "is_closed", "amount"]
    ].reset_index(drop=True)
    owners = accounts[["id", "owner_rep_id"]].rename(
        columns={"id": "account_id", "owner_rep_id": "account_owner_rep_id"}
    )
    return AccountInputs(people.reset_index(drop=True), last, deals, owners)


def account_table(
    source: Engine | Connection,
    rulebook: Rulebook,
    *,
    as_of: datetime,
    account_ids: Iterable[int] | None = None,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """Every account (or `account_ids`) rolled up under `rulebook` from its contacts scored as of
    `as_of` (scoring.analytics.accounts.account_scores)."""
    inputs = read_account_inputs(source, account_ids=account_ids)
    leads = read_features(
        source,
        as_of=as_of,
        lead_ids=inputs.contacts["contact_id"].tolist() if account_ids is not None else None,
        competitor_domains=competitor_domains,
    )
    scores = score(evaluate_hits(rulebook, leads)).frame()
    return account_scores(
        scores,
        inputs.contacts,
        inputs.touches,
        inputs.opportunities,
        rulebook.accounts,
        as_of=as_of,
        owners=inputs.owners,
    )
