"""The demo's campaigns: who each one reaches, how good its leads are, what it costs and when it ran."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.sources.demo import clock

BASE_SENIORITY = (0.04, 0.06, 0.13, 0.27, 0.42, 0.08)


@dataclass(frozen=True)
class CampaignSpec:
    """One campaign and the audience it brings (hidden quality knobs are in logit points)."""

    code: str
    name: str
    channel: str
    lead_source: str
    share: float  # relative lead volume
    cost_per_lead: float  # USD; campaign cost = cost per lead x expected leads
    quality: float  # shift of the hidden propensity
    engagement: float  # shift of the latent engagement
    entry_kind: str  # the touch that created the lead
    entry_url: str | None = None
    entry_asset: str | None = None
    start: str | None = None  # ISO dates; None: the whole window
    end: str | None = None
    seniority: tuple[float, ...] = BASE_SENIORITY
    size_bias: float = 0.3  # accounts are drawn with weight employees ** size_bias
    personal_email: float = 0.015
    junk: float = 0.02  # fake names, throwaway mailboxes, bogus phones
    subscriber: float = 0.0  # share created as newsletter subscribers
    competitor: float = 0.002
    unresponsive: float = 1.0  # weight of "unresponsive" among ordinary sales rejections


# fmt: off
CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "gads-brand", "Google Ads – brand search", "paid_search", "Paid Search", 7, 55, 0.5, 0.3,
        "form_submit", "/pricing", competitor=0.01, personal_email=0.05, junk=0.01,
    ),
    CampaignSpec(
        "gads-generic", "Google Ads – 'lead scoring software'", "paid_search", "Paid Search", 11,
        85, -0.1, 0.0, "form_submit", "/product/lead-scoring", size_bias=-0.3,
        personal_email=0.04,
    ),
    CampaignSpec(
        "linkedin-leadgen", "LinkedIn lead gen forms – RevOps leaders", "paid_social",
        "Paid Social", 11, 65, -0.3, -0.3, "form_submit",
        seniority=(0.04, 0.08, 0.18, 0.32, 0.36, 0.02), junk=0.16,
    ),
    CampaignSpec(
        "meta-ebook", "Facebook & Instagram – free RevOps ebook", "paid_social", "Paid Social", 8,
        14, -0.8, -0.5, "content_download", entry_asset="ebook-revops-playbook",
        start="2025-11-01", seniority=(0.01, 0.02, 0.05, 0.17, 0.55, 0.20), size_bias=-0.3,
        personal_email=0.14, junk=0.20,
    ),
    CampaignSpec(
        "webinar-revops-masterclass", "Webinar series – RevOps masterclass", "webinar", "Webinar",
        7, 45, 0.4, 0.9, "webinar_registered", entry_asset="webinar-revops-masterclass-ep1",
        seniority=(0.03, 0.07, 0.17, 0.33, 0.38, 0.02), competitor=0.008, junk=0.01,
    ),
    CampaignSpec(
        "webinar-analytics-students", "Webinar – marketing analytics 101 (university program)",
        "webinar", "Webinar", 5, 10, -0.6, 0.3, "webinar_registered",
        entry_asset="webinar-marketing-analytics-101", start="2026-01-15", end="2026-05-15",
        seniority=(0.005, 0.005, 0.02, 0.06, 0.25, 0.66), size_bias=0.0, personal_email=0.25,
        junk=0.03,
    ),
    CampaignSpec(
        "syndication-benchmark", "Content syndication – lead scoring benchmark report",
        "content_syndication", "Content Syndication", 10, 38, -0.3, -0.9, "content_download",
        entry_asset="whitepaper-lead-scoring-benchmarks-2026", start="2025-09-01",
        end="2026-06-30", size_bias=0.4, personal_email=0.04, junk=0.05, unresponsive=3.0,
    ),
    CampaignSpec(
        "event-saastr-2025", "SaaStr Annual 2025 – booth scans", "events", "Events", 2.5, 160,
        0.2, 0.2, "event_attended", entry_asset="saastr-annual-2025", start="2025-09-09",
        end="2025-09-11", personal_email=0.03, junk=0.01,
    ),
    CampaignSpec(
        "event-cro-dinners", "Executive dinners – CRO roundtables", "events", "Events", 1.2, 350,
        1.0, 0.5, "event_attended", entry_asset="cro-roundtable-dinner",
        seniority=(0.35, 0.35, 0.20, 0.08, 0.02, 0.0), size_bias=0.9, personal_email=0.02,
        junk=0.0,
    ),
    CampaignSpec(
        "organic-blog", "Organic – blog and SEO", "organic", "Organic Search", 13, 4, -0.2, 0.0,
        "form_submit", "/blog/lead-scoring-models-explained",
        seniority=(0.02, 0.04, 0.10, 0.25, 0.47, 0.12), size_bias=-0.4, personal_email=0.06,
        junk=0.03, subscriber=0.65,
    ),
    CampaignSpec(
        "referral-customers", "Customer referral program", "referral", "Referral", 2.5, 120, 1.3,
        0.5, "form_submit", "/referral", seniority=(0.08, 0.12, 0.25, 0.30, 0.25, 0.0),
        size_bias=0.4, personal_email=0.03, junk=0.0,
    ),
    CampaignSpec(
        "outbound-enterprise", "Outbound SDR – enterprise ICP", "outbound", "Outbound", 6, 110, 0.1,
        -1.0, "email_click", seniority=(0.08, 0.15, 0.30, 0.30, 0.17, 0.0), size_bias=0.9,
        personal_email=0.0, junk=0.02, unresponsive=4.0,
    ),
    CampaignSpec(
        "partner-si-cosell", "Partner co-sell – SI alliances", "partner", "Partner", 2.5, 95, 1.0,
        0.4, "meeting_booked", seniority=(0.05, 0.12, 0.30, 0.30, 0.23, 0.0), size_bias=0.8,
        personal_email=0.02, junk=0.0,
    ),
    CampaignSpec(
        "email-newsletter", "Monthly newsletter", "email", "Email", 3, 3, -0.2, 0.2, "form_submit",
        "/newsletter", subscriber=0.9, personal_email=0.07,
    ),
    CampaignSpec(
        "direct-demo-request", "Website – demo request form", "direct", "Direct", 5, 6, 0.7,
        0.6, "demo_request", "/demo", competitor=0.004,
    ),
    CampaignSpec(
        "review-sites", "Review sites – G2 and Capterra profiles", "other", "Review Sites", 3, 70,
        0.4, 0.2, "form_submit", "/compare/leadladder", competitor=0.015,
    ),
)
# fmt: on

QUALITY = np.array([c.quality for c in CAMPAIGNS])
ENGAGEMENT = np.array([c.engagement for c in CAMPAIGNS])
SENIORITY_MIX = np.array([np.array(c.seniority) / sum(c.seniority) for c in CAMPAIGNS])
SIZE_BIAS = np.array([c.size_bias for c in CAMPAIGNS])
PERSONAL_EMAIL = np.array([c.personal_email for c in CAMPAIGNS])
JUNK = np.array([c.junk for c in CAMPAIGNS])
SUBSCRIBER = np.array([c.subscriber for c in CAMPAIGNS])
COMPETITOR = np.array([c.competitor for c in CAMPAIGNS])
UNRESPONSIVE = np.array([c.unresponsive for c in CAMPAIGNS])
LEAD_SOURCES = np.array([c.lead_source for c in CAMPAIGNS], dtype=object)
ENTRY_KINDS = np.array([c.entry_kind for c in CAMPAIGNS], dtype=object)
ENTRY_URLS = np.array([c.entry_url for c in CAMPAIGNS], dtype=object)
ENTRY_ASSETS = np.array([c.entry_asset for c in CAMPAIGNS], dtype=object)
INDEX = {c.code: i for i, c in enumerate(CAMPAIGNS)}


def daily_intensity() -> np.ndarray:
    """Expected leads per day and campaign (days x campaigns), summing to one."""
    volume = clock.day_volume()
    intensity = np.zeros((clock.DAYS, len(CAMPAIGNS)))
    for j, spec in enumerate(CAMPAIGNS):
        first = clock.day_of(spec.start) if spec.start else 0
        last = clock.day_of(spec.end) + 1 if spec.end else clock.DAYS
        window = volume[first:last]
        # Spread the campaign's share over its own days in proportion to the daily volume.
        intensity[first:last, j] = spec.share * window / window.sum()
    return intensity / intensity.sum()


def campaigns_frame(leads: int, rng: np.random.Generator) -> pd.DataFrame:
    """The campaigns table: cost is cost-per-lead x expected leads, with some budget noise."""
    expected = daily_intensity().sum(axis=0) * leads
    budget_noise = rng.uniform(0.85, 1.15, len(CAMPAIGNS))
    cost = np.round(np.array([c.cost_per_lead for c in CAMPAIGNS]) * expected * budget_noise, 2)
    return pd.DataFrame(
        {
            "id": np.arange(1, len(CAMPAIGNS) + 1),
            "code": [c.code for c in CAMPAIGNS],
            "name": [c.name for c in CAMPAIGNS],
            "channel": [c.channel for c in CAMPAIGNS],
            "start_date": np.array([c.start or clock.START for c in CAMPAIGNS], "datetime64[D]"),
            "end_date": np.array([c.end or "NaT" for c in CAMPAIGNS], "datetime64[D]"),
            "cost": cost,
        }
    )
