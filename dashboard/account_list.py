"""The Accounts page's table: the account roll-up with labels, owners named (or left out) and
filters said in words."""

from __future__ import annotations

from dataclasses import dataclass

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


def choose(table: pd.DataFrame, choice: Choice) -> tuple[pd.DataFrame, list[str]]:
    """The accounts a choice selects, sorted, and the choice in words."""
    mask = pd.Series(True, index=table.index)
    said = []
    for column, chosen in (
        ("segment", choice.segments),
        ("region", choice.regions),
        ("owner", choice.owners),
    ):
        if chosen:
            mask &= table[column].isin(chosen)
            said.append(f"{column} is one of {', '.join(chosen)}")
    shown = table[mask].sort_values(choice.sort, ascending=False, na_position="last")
    return shown, said


def display(shown: pd.DataFrame, *, personal: bool) -> pd.DataFrame:
    """Labelled columns for the table and the CSV (no owner column without personal fields)."""
    columns = [c for c in LABELS if personal or c != "owner"]
    frame = shown[columns].copy()
    frame["last_touch"] = frame["last_touch"].dt.strftime("%Y-%m-%d").fillna("never")
    return frame.rename(columns=LABELS)
