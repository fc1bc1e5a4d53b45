"""The Accounts page's table: the account roll-up with labels, owners named (or left out) and
filters said in words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.analytics.filters import UNKNOWN_SEGMENT

SORTS = {
    "account_score": "Account score",
    "pipeline_amount": "Open pipeline amount",
    "engaged_contacts": "Engaged contacts",
    "last_touch": "Last touch",
}
LABELS = {
    "account_name": "Account",
    "segment": "Segment",
    "region": "Region",
    "owner": "Owner",
    "account_score": "Account score",
    "best_contact_score": "Best contact score",
    "roles_engaged": "Roles engaged",
    "contacts": "Contacts",
    "engaged_contacts": "Engaged contacts",
    "open_opportunities": "Open opportunities",
    "pipeline_amount": "Open pipeline amount",
    "last_touch": "Last touch",
}
NO_OWNER = "Unassigned"


@dataclass(frozen=True)
class Choice:
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    sort: str = "account_score"


def account_table(accounts: pd.DataFrame, reps: pd.DataFrame, *, personal: bool) -> pd.DataFrame:
    """The roll-up with words in place of ids and gaps; `owner` holds names only when `personal`."""
    names = reps.set_index("rep_id")["name"] if personal else pd.Series(dtype=object)
    owner = accounts["owner_rep_id"].map(names) if personal else None
    return accounts.assign(
        account_name=accounts["account_name"].fillna(
            "Account " + accounts["account_id"].astype(str)
        ),
        segment=accounts["segment"].fillna(UNKNOWN_SEGMENT),
        region=accounts["region"].fillna("Unknown"),
        owner=owner.fillna(NO_OWNER) if owner is not None else "",
        best_contact_score=accounts["best_contact_score"].fillna(0.0),
        roles_engaged=accounts["roles_engaged"].replace("", "none"),
    )


@dataclass(frozen=True)
class AccountView:
    """The labelled table (best account score first), each filter's options and each sort's row
    order, made once: a choice then only selects and orders positions."""

    table: pd.DataFrame
    options: dict[str, list[str]]
    orders: dict[str, np.ndarray]


FILTERS = ("segment", "region", "owner")


def account_view(accounts: pd.DataFrame, reps: pd.DataFrame, *, personal: bool) -> AccountView:
    return account_view_of(account_table(accounts, reps, personal=personal))


def choose(table: pd.DataFrame | AccountView, choice: Choice) -> tuple[pd.DataFrame, list[str]]:
    """The accounts a choice selects, sorted, and the choice in words."""
    view = table if isinstance(table, AccountView) else account_view_of(table)
    mask = np.ones(len(view.table), dtype=bool)
    said = []
    for column, chosen in zip(
        FILTERS, (choice.segments, choice.regions, choice.owners), strict=True
    ):
        if chosen:
            mask &= view.table[column].isin(chosen).to_numpy()
            said.append(f"{column} is one of {', '.join(chosen)}")
    order = view.orders[choice.sort]
    return view.table.take(order[mask[order]]), said


def account_view_of(table: pd.DataFrame) -> AccountView:
    """A view of an already labelled table (account_table's)."""
    table = table.reset_index(drop=True)
    orders = {
        # Largest first, missing last; ties keep the table's order (the roll-up's: best account
        # score, then id).
        sort: table[sort]
        .sort_values(ascending=False, kind="stable", na_position="last")
        .index.to_numpy()
        for sort in SORTS
    }
    return AccountView(table, {c: sorted(table[c].unique()) for c in FILTERS}, orders)


def display(shown: pd.DataFrame, *, personal: bool) -> pd.DataFrame:
    """Labelled columns for the table and the CSV (no owner column without personal fields)."""
    columns = [c for c in LABELS if personal or c != "owner"]
    frame = shown[columns].copy()
    frame["last_touch"] = frame["last_touch"].dt.strftime("%Y-%m-%d").fillna("never")
    return frame.rename(columns=LABELS)
