"""Lead frames for imported real data: per-source attributes become columns, the outcome a label.

An import keeps each source's extra fields in `contacts.attributes` (JSON); a won outcome becomes a
closed-won opportunity. Here those are laid out for learning: one column per attribute, `won` (bool),
and `row`, the file order, as the time axis where the source has no usable dates (UCI is in time order
but carries no date). Fields the mapping profile declares post-outcome are returned as declarations for
the leakage check, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

ATTRIBUTE_PREFIX = "attributes."
ROW = "row"
# Canonical fields a training frame carries next to the attributes (names, e-mail and phone never:
# they identify a person and predict nothing).
CONTACT_FIELDS = (
    "lead_source",
    "job_title",
    "seniority",
    "department",
    "country",
    "do_not_contact",
)
ACCOUNT_FIELDS = ("industry", "employees", "annual_revenue", "region", "country")


def attribute_leads(contacts: pd.DataFrame, accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per contact: lead_id, row (order), won, the canonical contact and account fields
    (`canonical_fields`), and one column per attribute.

    `contacts` needs `external_id`, `attributes` (dicts or None) and `won` (bool); rows are taken in
    their order (the file's, for an import). An attribute named like a canonical field is kept as
    `attributes.<name>`, as in the database's training frame (scoring.training_data.with_attributes).
    """
    attributes = pd.json_normalize(
        [a if isinstance(a, dict) else {} for a in contacts["attributes"]]
    )
    frame = pd.DataFrame(
        {
            "lead_id": contacts["lead_id"].to_numpy()
            if "lead_id" in contacts
            else np.arange(1, len(contacts) + 1),
            ROW: np.arange(len(contacts)),
            "won": contacts["won"].fillna(False).astype(bool).to_numpy(),
        }
    )
    canonical = canonical_fields(contacts, accounts)
    attributes.columns = [
        f"attributes.{c}" if c in canonical or c in frame else c for c in attributes.columns
    ]
    return pd.concat(
        [frame, canonical.set_axis(frame.index), attributes.set_axis(frame.index)], axis=1
    )


def canonical_fields(contacts: pd.DataFrame, accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The contact's canonical fields (`CONTACT_FIELDS`) and its account's (`account_country` for the
    account's country), where the frames have them; one row per contact, in its order."""
    present = [c for c in CONTACT_FIELDS if c in contacts]
    frame = contacts[present].reset_index(drop=True)
    if accounts is None or not len(accounts) or "account" not in contacts:
        return frame
    by_domain = accounts.drop_duplicates("domain").set_index("domain")
    for column in ACCOUNT_FIELDS:
        if column in by_domain:
            name = "account_country" if column == "country" else column
            frame[name] = contacts["account"].map(by_domain[column]).to_numpy()
    return frame


def declared_post_outcome(fields: Iterable[str], source: str) -> dict[str, str]:
    """Profile targets declared post-outcome (`attributes.duration`) as column -> where declared."""
    return {field.removeprefix(ATTRIBUTE_PREFIX): source for field in fields}


def olist_leads(mqls: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Olist MQLs with pre-outcome fields only, and when (if ever) each was won.

    Features: origin (channel), landing page, and first-contact date parts (month, weekday). Every
    closed-deal column (segment, lead type, behaviour profile, revenue...) exists only for won leads:
    an outcome attribute, so none is joined in.
    """
    created = pd.to_datetime(mqls["first_contact_date"])
    won_at = (
        pd.to_datetime(deals.set_index("mql_id")["won_date"]).reindex(mqls["mql_id"]).to_numpy()
    )
    origin = mqls["origin"].astype(object).where(mqls["origin"].notna(), "(blank)")
    return pd.DataFrame(
        {
            "lead_id": np.arange(1, len(mqls) + 1),
            "created_at": created.astype("datetime64[us]"),
            "origin": origin.to_numpy(),
            "landing_page_id": mqls["landing_page_id"].astype(object).to_numpy(),
            "first_contact_month": created.dt.month.astype(str).to_numpy(),
            "first_contact_weekday": created.dt.day_name().to_numpy(),
            "won_at": pd.Series(won_at).astype("datetime64[us]").to_numpy(),
        }
    )
