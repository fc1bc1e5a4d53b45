"""The account roll-up: one score per account from its contacts' scores and buying-group roles (pure).

    accounts = account_scores(scores, contacts, touches, opportunities, rulebook.accounts,
                              as_of=moment)

A contact plays the first buying-group role (scoring.rules.spec.BuyingRole) its seniority and
department match, and is engaged when touched in the `window_days` days up to `as_of`. An
account's score is its best contact's score (when the rulebook says `best_contact: true`) plus
`points_per_role` for each role played by an engaged contact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from scoring.analytics.filters import UNKNOWN_SEGMENT, segment_of
from scoring.rules.spec import AccountRollup

ACCOUNT_COLUMNS = (
    "account_id",
    "account_name",
    "segment",
    "region",
    "account_score",
    "best_contact_score",
    "best_contact_id",
    "roles_engaged",
    "roles_engaged_count",
    "contacts",
    "engaged_contacts",
    "open_opportunities",
    "pipeline_amount",
    "last_touch",
    "owner_rep_id",
)
NO_ROLE = ""


def contact_roles(contacts: pd.DataFrame, rollup: AccountRollup) -> pd.Series:
    """Per contact the name of the first role it plays ("" for none)."""
    seniority = _column(contacts, "seniority")
    department = _column(contacts, "department")
    role = pd.Series(NO_ROLE, index=contacts.index, dtype="object")
    for spec in reversed(rollup.roles):  # the first matching role is written last
        match = np.ones(len(contacts), dtype=bool)
        if spec.seniorities:
            match &= seniority.isin(spec.seniorities).to_numpy()
        if spec.departments:
            match &= department.isin(spec.departments).to_numpy()
        role[match] = spec.name
    return role


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype="object")


def _as_times(values: pd.Series) -> np.ndarray:
    """datetime64[ns] values; a lookup that found nothing (no touch at all) is NaT, not float NaN."""
    if not len(values) or values.isna().all():
        return np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


def _contact_frame(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    rollup: AccountRollup,
    as_of: datetime,
) -> pd.DataFrame:
    known = contacts[contacts["account_id"].notna()]
    seen = touches[touches["occurred_at"] <= as_of]
    last = seen.groupby("contact_id")["occurred_at"].max().rename("last_touch")
    score = scores.set_index("lead_id")["score"].astype(float)
    cutoff = as_of - timedelta(days=rollup.window_days)
    people = pd.DataFrame(
        {
            "contact_id": known["contact_id"].to_numpy(),
            "account_id": known["account_id"].astype("int64").to_numpy(),
            "score": known["contact_id"].map(score).to_numpy(dtype=float),
            # reindex, not map: pandas cannot map through an empty datetime Series
            "last_touch": _as_times(last.reindex(known["contact_id"].to_numpy())),
            "role": contact_roles(known, rollup).to_numpy(),
            "owner_rep_id": _column(known, "owner_rep_id").to_numpy(),
        }
    )
    people["engaged"] = people["last_touch"].notna() & (people["last_touch"] >= cutoff)
    return people


def _roles_engaged(people: pd.DataFrame, rollup: AccountRollup) -> pd.DataFrame:
    engaged = people[people["engaged"] & (people["role"] != NO_ROLE)]
    order = {role.name: i for i, role in enumerate(rollup.roles)}
    labels = {role.name: role.label for role in rollup.roles}
    played = engaged.groupby("account_id")["role"].agg(
        lambda names: ", ".join(labels[n] for n in sorted(set(names), key=order.__getitem__))
    )
    count = engaged.groupby("account_id")["role"].nunique()
    return pd.DataFrame({"roles_engaged": played, "roles_engaged_count": count})


def _opportunities(opportunities: pd.DataFrame) -> pd.DataFrame:
    open_deals = opportunities[
        opportunities["account_id"].notna() & ~opportunities["is_closed"].astype(bool)
    ]
    by_account = open_deals.groupby(open_deals["account_id"].astype("int64"))
    return pd.DataFrame(
        {
            "open_opportunities": by_account.size(),
            "pipeline_amount": by_account["amount"].sum(min_count=1).astype(float),
        }
    )


def _account_fields(contacts: pd.DataFrame, owners: pd.DataFrame | None) -> pd.DataFrame:
    known = contacts[contacts["account_id"].notna()]
    first = known.groupby(known["account_id"].astype("int64")).first()
    fields = pd.DataFrame(index=first.index)
    fields["account_name"] = _column(first, "account_name")
    fields["segment"] = segment_of(_column(first, "employees")).fillna(UNKNOWN_SEGMENT)
    fields["region"] = _column(first, "region")
    if owners is not None and len(owners):
        owner = owners.dropna(subset=["account_id"]).set_index(
            owners["account_id"].dropna().astype("int64")
        )["account_owner_rep_id"]
        fields["account_owner_rep_id"] = fields.index.map(owner.to_dict())
    else:
        fields["account_owner_rep_id"] = np.nan
    return fields


def account_scores(
    scores: pd.DataFrame,
    contacts: pd.DataFrame,
    touches: pd.DataFrame,
    opportunities: pd.DataFrame,
    rollup: AccountRollup,
    *,
    as_of: datetime,
    owners: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per account with a contact, best account score first (columns `ACCOUNT_COLUMNS`).

    Args:
        scores: per lead, `lead_id` and `score` (scoring.rules.score(...).frame()).
        contacts: per contact, `contact_id`, `account_id` and, when known, `account_name`,
            `seniority`, `department`, `employees`, `region`, `owner_rep_id`.
        touches: `contact_id`, `occurred_at` (one row per touch, or each contact's last touch).
        opportunities: `account_id`, `is_closed`, `amount`.
        rollup: the rulebook's `accounts` section.
        as_of: the moment the window ends; later touches are ignored.
        owners: `account_id`, `account_owner_rep_id`; without an account owner the best
            contact's owner is the account's.
    """
    people = _contact_frame(scores, contacts, touches, rollup, as_of)
    by_account = people.groupby("account_id")
    ranked = people.sort_values(
        ["score", "contact_id"], ascending=[False, True], na_position="last"
    )
    best = ranked.drop_duplicates("account_id").set_index("account_id")
    table = _account_fields(contacts, owners).join(
        pd.DataFrame(
            {
                "best_contact_score": by_account["score"].max(),
                "best_contact_id": best["contact_id"],
                "best_owner": best["owner_rep_id"],
                "contacts": by_account.size(),
                "engaged_contacts": by_account["engaged"].sum(),
                "last_touch": by_account["last_touch"].max(),
            }
        )
    )
    table = table.join(_roles_engaged(people, rollup)).join(_opportunities(opportunities))
    table["roles_engaged"] = table["roles_engaged"].fillna(NO_ROLE)
    for column in ("roles_engaged_count", "open_opportunities", "engaged_contacts"):
        table[column] = table[column].fillna(0).astype("int64")
    table["pipeline_amount"] = table["pipeline_amount"].fillna(0.0)
    base = table["best_contact_score"].fillna(0.0) if rollup.best_contact else 0.0
    table["account_score"] = base + rollup.points_per_role * table["roles_engaged_count"]
    table["owner_rep_id"] = table["account_owner_rep_id"].fillna(table["best_owner"])
    table = table.rename_axis("account_id").reset_index()
    table = table.sort_values(["account_score", "account_id"], ascending=[False, True])
    return table[list(ACCOUNT_COLUMNS)].reset_index(drop=True)
