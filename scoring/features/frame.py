"""The lead feature frame as of a time: a pure function from the four source frames.

    leads = build_features(contacts, accounts, campaigns, touches, as_of=datetime(2026, 11, 1))

One row per contact created before `as_of`, columns exactly FEATURES (in order), typed per kind.
Inputs carry the columns of the canonical tables of the same name (see scoring.db.models).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import numpy as np
import pandas as pd

from scoring.features.behaviour import touch_features
from scoring.features.columns import FEATURES, PANDAS_DTYPES
from scoring.features.quality import (
    PERSONAL_DOMAINS,
    completeness,
    email_domains,
    email_valid,
    in_domains,
    present,
    text,
)


def as_category(values: pd.Series | np.ndarray) -> pd.Categorical:
    """Dictionary-encode strings: stripped, blank becomes missing, categories sorted."""
    strings = isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype)
    # Arrow-backed strings are dictionary-encoded where they are; anything else goes as objects.
    series = values if strings else pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = text(pd.Series(uniques, dtype=object))
    cleaned = cleaned.where(cleaned != "")
    inner, categories = pd.factorize(cleaned, sort=True, use_na_sentinel=True)
    remap = np.append(inner, -1)  # code -1 (missing) reads the trailing -1
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(categories, dtype=object))


def _lookup(keys: pd.Series, table: pd.DataFrame) -> np.ndarray:
    """Row position in `table` (indexed by id) of each key; -1 when missing or unknown."""
    positions = pd.Index(table["id"]).get_indexer(pd.to_numeric(keys, errors="coerce"))
    return np.asarray(positions)


def _take(table: pd.DataFrame, column: str, positions: np.ndarray) -> pd.Series:
    values = table[column].reset_index(drop=True)
    taken = values.reindex(np.where(positions >= 0, positions, len(values)))
    return taken.reset_index(drop=True)


def _number(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _profile(contacts: pd.DataFrame, accounts: pd.DataFrame, campaigns: pd.DataFrame) -> dict:
    account = _lookup(contacts["account_id"], accounts)
    campaign = _lookup(contacts["original_campaign_id"], campaigns)
    country = _take(accounts, "country", account).astype(object)
    country = country.where(present(country), contacts["country"].reset_index(drop=True))
    return {
        "industry": as_category(_take(accounts, "industry", account)),
        "employees": _number(_take(accounts, "employees", account)),
        "annual_revenue": _number(_take(accounts, "annual_revenue", account)),
        "country": as_category(country),
        "region": as_category(_take(accounts, "region", account)),
        "seniority": as_category(contacts["seniority"]),
        "department": as_category(contacts["department"]),
        "job_title": as_category(contacts["job_title"]),
        "lead_source": as_category(contacts["lead_source"]),
        "campaign_code": as_category(_take(campaigns, "code", campaign)),
        "campaign_channel": as_category(_take(campaigns, "channel", campaign)),
        "do_not_contact": contacts["do_not_contact"].fillna(False).to_numpy(dtype=bool),
        "_account": account,
        "_account_domain": _take(accounts, "domain", account),
    }


def _quality(contacts: pd.DataFrame, profile: dict, competitor_domains: Collection[str]) -> dict:
    emails = contacts["email"].reset_index(drop=True)
    domains = email_domains(emails)
    account_domains = text(profile["_account_domain"]).str.lower()
    fields = {
        "email": emails,
        "first_name": contacts["first_name"],
        "last_name": contacts["last_name"],
        "job_title": contacts["job_title"],
        "company": pd.Series(np.where(profile["_account"] >= 0, 1.0, np.nan)),
        "country": pd.Series(np.asarray(profile["country"], dtype=object)),
    }
    return {
        "email_domain": as_category(domains),
        "email_valid": email_valid(emails),
        "personal_email": in_domains(domains, PERSONAL_DOMAINS),
        "competitor": in_domains(domains, competitor_domains)
        | in_domains(account_domains, competitor_domains),
        "has_phone": present(contacts["phone"]),
        "completeness": completeness(fields),
    }


def build_features(
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
    campaigns: pd.DataFrame,
    touches: pd.DataFrame,
    *,
    as_of: datetime,
    competitor_domains: Collection[str] = (),
) -> pd.DataFrame:
    """One row per contact created before `as_of`; behaviour counts only touches before `as_of`.

    Args:
        contacts: id, email, first_name, last_name, job_title, seniority, department, phone, country,
            lead_source, account_id, original_campaign_id, do_not_contact, created_at.
        accounts: id, domain, industry, employees, annual_revenue, country, region.
        campaigns: id, code, channel.
        touches: contact_id, kind, occurred_at, url, asset.
        as_of: the decision time (naive UTC); nothing at or after it is used.
        competitor_domains: domains whose people are competitors (data/competitors.yaml).
    """
    created = pd.to_datetime(contacts["created_at"])
    leads = contacts[(created < pd.Timestamp(as_of)).to_numpy()]
    leads = leads.sort_values("id", kind="stable").reset_index(drop=True)
    lead_ids = leads["id"].to_numpy(dtype=np.int64)
    profile = _profile(leads, accounts, campaigns)
    columns: dict[str, object] = {
        "lead_id": lead_ids,
        "created_at": pd.to_datetime(leads["created_at"]).to_numpy(dtype="datetime64[us]"),
        **{k: v for k, v in profile.items() if not k.startswith("_")},
        **_quality(leads, profile, competitor_domains),
        **touch_features(lead_ids, touches, as_of),
    }
    frame = pd.DataFrame({name: columns[name] for name in FEATURES}, copy=False)
    return frame.astype(
        {n: PANDAS_DTYPES[c.kind] for n, c in FEATURES.items() if c.kind in PANDAS_DTYPES}
    )
