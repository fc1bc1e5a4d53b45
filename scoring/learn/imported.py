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


def attribute_leads(contacts: pd.DataFrame) -> pd.DataFrame:
    """One row per contact: lead_id, row (order), won, and one column per attribute.

    `contacts` needs `external_id`, `attributes` (dicts or None) and `won` (bool); rows are taken in
    their order (the file's, for an import).
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
    return pd.concat([frame, attributes.set_axis(frame.index)], axis=1)


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
