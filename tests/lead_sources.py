"""Small random source frames (contacts, accounts, campaigns, touches) shaped like the canonical tables."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert

from scoring.db.models import Account, Campaign, Contact, Touch

AS_OF = datetime(2026, 6, 1)
KINDS = [
    "page_view",
    "content_download",
    "webinar_attended",
    "email_click",
    "demo_request",
    "unsubscribe",
]
URLS = [
    None,
    "/pricing",
    "/pricing/enterprise",
    "/docs/rulebook",
    "/blog/what-is-an-mql",
    "/careers",
    "/product/x",
    "/",
]
ASSETS = [
    None,
    "case-study-fintech",
    "whitepaper-benchmarks",
    "ebook-playbook",
    "report-2026",
    "template-sla",
    "x",
]


def lead_sources(
    leads: int = 40, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    accounts = pd.DataFrame(
        {
            "id": np.arange(1, 11),
            "name": [f"Acme {i}" for i in range(10)],
            "domain": [f"acme{i}.com" for i in range(9)] + ["rival.io"],
            "industry": rng.choice(["Software", "Fintech", "Retail", None], 10),
            "employees": rng.choice([5, 50, 500, 5000, None], 10),
            "annual_revenue": rng.choice([1e6, 5e7, None], 10),
            "country": rng.choice(["US", "DE", None], 10),
            "region": rng.choice(["NA", "EMEA", None], 10),
        }
    )
    campaigns = pd.DataFrame(
        {
            "id": [1, 2],
            "code": ["web-1", "ads-2"],
            "name": ["W", "A"],
            "channel": ["webinar", "paid_search"],
        }
    )
    created = [AS_OF - timedelta(days=int(d)) for d in rng.integers(-5, 200, leads)]
    domains = rng.choice(["acme1.com", "gmail.com", "rival.io", "sub.rival.io", "bad"], leads)
    contacts = pd.DataFrame(
        {
            "id": np.arange(1, leads + 1) * 3,  # ids are not positions
            "external_id": [f"c-{i}" for i in range(leads)],
            "email": [None if i % 11 == 0 else f"p{i}@{d}" for i, d in enumerate(domains)],
            "first_name": rng.choice(["Ada", "  ", None], leads),
            "last_name": rng.choice(["Lovelace", None], leads),
            "job_title": rng.choice(["VP Sales", "Student", " Head of RevOps ", "", None], leads),
            "seniority": rng.choice(["vp", "student", None], leads),
            "department": rng.choice(["Sales", None], leads),
            "phone": rng.choice(["+1 555", "", None], leads),
            "country": rng.choice(["US", "FR", None], leads),
            "lead_source": rng.choice(["web", None], leads),
            "account_id": rng.choice([1, 2, 10, None], leads),
            "original_campaign_id": rng.choice([1, 2, None], leads),
            "lifecycle_stage": "lead",
            "do_not_contact": rng.choice([False, True], leads, p=[0.9, 0.1]),
            "created_at": created,
            "updated_at": created,
        }
    )
    n = leads * 6
    touches = pd.DataFrame(
        {
            "contact_id": rng.choice(contacts["id"], n),
            "kind": rng.choice(KINDS, n),
            "occurred_at": [
                AS_OF - timedelta(hours=int(h)) for h in rng.integers(-100, 24 * 150, n)
            ],
            "url": rng.choice(np.array(URLS, dtype=object), n),
            "asset": rng.choice(np.array(ASSETS, dtype=object), n),
        }
    )
    touches.loc[touches.index[:3], "occurred_at"] = AS_OF  # exactly at as-of: never counted
    return contacts, accounts, campaigns, touches


def insert_sources(engine: Engine, sources: tuple[pd.DataFrame, ...]) -> None:
    """Write the four frames into a migrated database (parents first)."""
    contacts, accounts, campaigns, touches = sources
    with engine.begin() as connection:
        for model, frame in (
            (Account, accounts),
            (Campaign, campaigns),
            (Contact, contacts),
            (Touch, touches),
        ):
            rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
            connection.execute(insert(model), rows)
