"""Check and write what a CRM export adds: the rep roster, accounts by any key, products, opportunities.

`plan_crm` matches reps and accounts to stored rows and checks every reference to them before
anything is written (scoring.sources.keyed), and refuses parent links that would make an account
its own ancestor, counting the parents already stored. The writers run inside the import's transaction, in
dependency order: reps, accounts (then their parents), products, and, after the contacts,
opportunities with one stage-history row per opportunity created or moved to another stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, insert

from scoring.db.models import Account, Contact, Opportunity, OpportunityStageChange, Product
from scoring.errors import Problem
from scoring.sources.deals import STATUS_STAGES
from scoring.sources.frames import CanonicalFrames
from scoring.sources.identities import IDENTITY
from scoring.sources.keyed import (
    ACCOUNTS,
    REPS,
    KeyedEntity,
    KeyedPlan,
    Reference,
    ids_for,
    plan_keyed,
    resolve,
    write_keyed,
)
from scoring.sources.upsert import Progress, ids_by_key, lookup, records, upsert

_REFERENCES = ("parent", "owner")
_OPPORTUNITY_COPIED = (
    "name",
    "amount",
    "currency",
    "product",
    "lost_reason",
    "engaged_at",
    "closed_at",
)


@dataclass(frozen=True)
class CrmPlan:
    """Stored ids of the import's reps and accounts, and every problem found with them."""

    reps: KeyedPlan
    accounts: KeyedPlan
    problems: list[Problem]


def _ancestry(connection: Connection, links: dict[str, str | None]) -> dict[str, str | None]:
    """`links` (account identity -> its parent's, as the import sets them) completed with the
    stored parent of every stored account they lead to, level by level."""
    links = dict(links)
    frontier = {p for p in links.values() if p is not None and p not in links}
    while frontier:
        ids = [int(p.removeprefix("id:")) for p in frontier if p.startswith("id:")]
        stored = lookup(connection, Account, "id", ids, "parent_account_id")["parent_account_id"]
        for node in frontier:
            parent = stored.get(int(node.removeprefix("id:"))) if node.startswith("id:") else None
            links[node] = None if parent is None or pd.isna(parent) else f"id:{int(parent)}"
        frontier = {p for p in links.values() if p is not None and p not in links}
    return links


def _cycles(links: dict[str, str | None]) -> dict[str, int]:
    """Each account on a cycle of parent links, with the cycle's length (one walk per account:
    every account has at most one parent)."""
    done: set[str] = set()
    found: dict[str, int] = {}
    for start in links:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = links.get(node)
        if node is not None and node in on_path:
            cycle = path[path.index(node) :]
            found.update(dict.fromkeys(cycle, len(cycle)))
        done.update(path)
    return found


def _parent_cycles(
    connection: Connection, accounts: pd.DataFrame, plan: KeyedPlan
) -> list[Problem]:
    """Accounts the import would make their own ancestor, over the import's parent links and the
    stored ones (an imported row's link replaces its stored one), each at its parent cell."""
    if "parent" not in accounts or not len(accounts):
        return []
    parents, _ = resolve(plan.universe, accounts["parent"], ACCOUNTS.keys)
    own = plan.universe["identity"].iloc[: len(accounts)].tolist()
    cycles = _cycles(_ancestry(connection, dict(zip(own, parents.tolist(), strict=True))))
    where = accounts.get("_where_parent", accounts["_where"])
    problems = []
    for value, parent, mine, at in zip(accounts["parent"], parents, own, where, strict=True):
        if parent is None or mine not in cycles:
            continue
        if parent == mine:
            message = f"account {value!r} cannot be its own parent"
        else:
            message = (
                f"account {value!r} is a descendant of this account: the parent links would "
                f"form a cycle of {cycles[mine]} accounts"
            )
        problems.append(Problem(str(at), f"account.parent: {message}"))
    return problems


def plan_crm(connection: Connection, frames: CanonicalFrames) -> CrmPlan:
    """Match reps and accounts to stored rows; check owners, parents and accounts referred to."""
    reps = plan_keyed(
        connection,
        REPS,
        frames.reps,
        [
            Reference(frames.opportunities, "owner", "opportunity.owner"),
            Reference(frames.accounts, "owner", "account.owner"),
        ],
    )
    accounts = plan_keyed(
        connection,
        ACCOUNTS,
        frames.accounts,
        [
            Reference(frames.contacts, "account", "contact.account"),
            Reference(frames.opportunities, "account", "opportunity.account"),
            Reference(frames.accounts, "parent", "account.parent"),
        ],
    )
    cycles = _parent_cycles(connection, frames.accounts, accounts)
    problems = [*reps.problems, *accounts.problems, *cycles]
    return CrmPlan(reps, accounts, problems)


def _named(
    connection: Connection, entity: KeyedEntity, frame: pd.DataFrame, ids: pd.Series
) -> pd.DataFrame:
    """The rows to write: a nameless row keeps its stored name, else is named by its key."""
    rows = frame[[c for c in frame.columns if not str(c).startswith("_") and c not in _REFERENCES]]
    rows = rows.copy()
    if "name" not in rows:
        rows["name"] = None
    nameless = rows["name"].isna().to_numpy()
    if nameless.any():
        known = ids[nameless].dropna().astype(int).tolist()
        stored = lookup(connection, entity.model, "id", known, "name")["name"]
        keyed = frame[IDENTITY].str.split("=", n=1).str[1]
        fallback = ids.map(stored).astype(object).where(ids.notna(), None)
        rows["name"] = rows["name"].fillna(fallback).fillna(keyed)
    return rows


def write_reps(connection: Connection, reps: pd.DataFrame, plan: KeyedPlan) -> int:
    if len(reps):
        write_keyed(connection, REPS, _named(connection, REPS, reps, plan.ids), plan.ids)
    return len(reps)


def write_accounts(connection: Connection, accounts: pd.DataFrame, plan: KeyedPlan) -> int:
    """Accounts (with their owner rep), then each account's parent once every account has an id."""
    if not len(accounts):
        return 0
    rows = _named(connection, ACCOUNTS, accounts, plan.ids)
    if "owner" in accounts:
        rows["owner_rep_id"] = ids_for(connection, REPS, accounts["owner"]).to_numpy()
    ids = write_keyed(connection, ACCOUNTS, rows, plan.ids)
    if "parent" in accounts:
        parents = ids_for(connection, ACCOUNTS, accounts["parent"])
        links = pd.DataFrame({"parent_account_id": parents.to_numpy()}, index=accounts.index)
        write_keyed(connection, ACCOUNTS, links, ids)
    return len(accounts)


def write_products(connection: Connection, products: pd.DataFrame, progress: Progress) -> int:
    if not len(products):
        return 0
    rows = products[[c for c in products.columns if not str(c).startswith("_")]]
    upsert(connection, Product, "name", records(rows, list(rows.columns)), progress, "products")
    return len(products)


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[us]")


def _opportunity_rows(
    connection: Connection, deals: pd.DataFrame, stored: pd.DataFrame, run_time: datetime
) -> pd.DataFrame:
    status = deals["status"].fillna("open") if "status" in deals else pd.Series("open", deals.index)
    rows = pd.DataFrame({"external_id": deals["external_id"]})
    given = deals["stage"] if "stage" in deals else pd.Series(None, deals.index, dtype=object)
    rows["stage"] = given.fillna(status.map(STATUS_STAGES))
    rows["is_closed"], rows["is_won"] = status != "open", status == "won"
    for column in _OPPORTUNITY_COPIED:
        if column in deals:
            rows[column] = deals[column]
    blank = pd.Series(pd.NaT, index=deals.index, dtype="datetime64[us]")
    dated = pd.concat(
        [_times(deals.get(c, blank)) for c in ("engaged_at", "closed_at")], axis=1
    ).min(axis=1)
    held = _times(stored["created_at"].reindex(deals["external_id"].to_numpy())).to_numpy()
    created = _times(deals.get("created_at", blank)).fillna(pd.Series(held, index=deals.index))
    rows["created_at"] = created.fillna(dated).fillna(pd.Timestamp(run_time))
    if "account" in deals:
        rows["account_id"] = ids_for(connection, ACCOUNTS, deals["account"]).to_numpy()
    if "owner" in deals:
        rows["owner_rep_id"] = ids_for(connection, REPS, deals["owner"]).to_numpy()
    if "contact" in deals:
        found = ids_by_key(connection, Contact, "external_id", deals["contact"])
        rows["primary_contact_id"] = deals["contact"].map(found).astype("Int64")
    return rows


def write_opportunities(
    connection: Connection,
    deals: pd.DataFrame,
    *,
    actor: str,
    run_time: datetime,
    progress: Progress,
) -> tuple[int, int]:
    """Upsert the opportunities by external id; returns (opportunities, stage-history rows)."""
    if not len(deals):
        return 0, 0
    keys = deals["external_id"]
    stored = lookup(connection, Opportunity, "external_id", keys, "stage", "created_at")
    rows = _opportunity_rows(connection, deals, stored, run_time)
    upsert(
        connection,
        Opportunity,
        "external_id",
        records(rows, list(rows.columns)),
        progress,
        "opportunities",
    )
    before = stored["stage"].reindex(keys.to_numpy()).to_numpy()
    moved = rows[(pd.isna(before) | (before != rows["stage"].to_numpy()))]
    if not len(moved):
        return len(rows), 0
    ids = ids_by_key(connection, Opportunity, "external_id", moved["external_id"])
    closed = moved.get("closed_at", pd.Series(pd.NaT, index=moved.index))
    engaged = moved.get("engaged_at", pd.Series(pd.NaT, index=moved.index))
    at = (
        _times(closed.where(moved["is_closed"]))
        .fillna(_times(engaged))
        .fillna(_times(moved["created_at"]))
    )
    changes = pd.DataFrame(
        {
            "opportunity_id": moved["external_id"].map(ids).astype("Int64"),
            "from_stage": pd.Series(before, index=rows.index)[moved.index],
            "to_stage": moved["stage"],
            "occurred_at": at,
            "actor": actor,
        }
    )
    connection.execute(insert(OpportunityStageChange), records(changes, list(changes.columns)))
    return len(rows), len(changes)
