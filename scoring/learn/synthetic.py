"""A small synthetic lead frame with known signal, for tests, docs and examples (like make_classification).

Leads arrive evenly over `days`; fit (industry, seniority, employees) and engagement (page views, demo
requests) raise the chance of acceptance and of a win; `noise_*` columns carry no signal. Outcome times
follow the lead's creation by a few days (accepted) or weeks (won), so the youngest leads are too young.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDUSTRIES = ("software", "fintech", "retail", "manufacturing", "education", "public")
INDUSTRY_FIT = (1.0, 0.8, 0.0, 0.2, -0.6, -0.8)
SENIORITIES = ("c_level", "vp", "director", "manager", "individual", "student")
SENIORITY_FIT = (0.9, 0.8, 0.5, 0.1, -0.3, -1.5)
CAMPAIGNS = ("webinar-q1", "paid-search", "ebook", "events", "partner")


def synthetic_leads(
    n: int = 5000, *, seed: int = 0, start: str = "2024-01-01", days: int = 540
) -> pd.DataFrame:
    """`n` leads with created_at, features, accepted_at and won_at (NaT when it did not happen)."""
    rng = np.random.default_rng(seed)
    industry = rng.integers(0, len(INDUSTRIES), n)
    seniority = rng.integers(0, len(SENIORITIES), n)
    employees = np.round(np.exp(rng.normal(5, 1.5, n)))
    page_views = rng.poisson(3, n)
    demo = rng.random(n) < 0.08
    logit = (
        -3.2
        + np.take(INDUSTRY_FIT, industry)
        + np.take(SENIORITY_FIT, seniority)
        + 0.25 * np.log1p(employees) / 2
        + 0.12 * page_views
        + 1.6 * demo
    )
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    accepted = won | (rng.random(n) < 1 / (1 + np.exp(-(logit + 1.5))))
    created = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, days, n)), unit="D")
    accepted_at = created + pd.to_timedelta(rng.uniform(1, 20, n), unit="D")
    won_at = accepted_at + pd.to_timedelta(rng.uniform(10, 120, n), unit="D")
    return pd.DataFrame(
        {
            "lead_id": np.arange(1, n + 1),
            "created_at": created.astype("datetime64[us]"),
            "industry": np.take(INDUSTRIES, industry),
            "seniority": np.take(SENIORITIES, seniority),
            "campaign_code": rng.choice(CAMPAIGNS, n),
            "employees": np.where(rng.random(n) < 0.1, np.nan, employees),
            "page_views_30d": page_views,
            "demo_request_total": demo.astype(np.int32),
            "noise_number": rng.normal(size=n),
            "noise_category": rng.choice(["a", "b", "c"], n),
            "accepted_at": pd.Series(accepted_at).where(accepted).astype("datetime64[us]"),
            "won_at": pd.Series(won_at).where(won).astype("datetime64[us]"),
        }
    )
