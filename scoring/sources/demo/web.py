"""Web and content vocabulary of the demo data: touch kinds by intent, pages and assets by audience."""

from __future__ import annotations

import numpy as np

from scoring.db.models import TOUCH_KINDS

KINDS = np.array(TOUCH_KINDS, dtype=object)

# Touch-kind mixes after the first touch, by intent. Buyers look at pricing, ask for demos and meet
# sales; browsers read, open newsletters and unsubscribe.
_BUYER_KINDS = {
    "page_view": 0.42,
    "content_download": 0.07,
    "webinar_registered": 0.05,
    "webinar_attended": 0.04,
    "email_open": 0.12,
    "email_click": 0.08,
    "form_submit": 0.05,
    "demo_request": 0.05,
    "event_attended": 0.02,
    "meeting_booked": 0.04,
    "call": 0.05,
    "unsubscribe": 0.01,
}
_BROWSER_KINDS = {
    "page_view": 0.44,
    "content_download": 0.08,
    "webinar_registered": 0.04,
    "webinar_attended": 0.015,
    "email_open": 0.30,
    "email_click": 0.06,
    "form_submit": 0.02,
    "demo_request": 0.004,
    "event_attended": 0.006,
    "meeting_booked": 0.0,
    "call": 0.005,
    "unsubscribe": 0.03,
}


def _cumulative(mix: dict[str, float]) -> np.ndarray:
    weights = np.array([mix[k] for k in TOUCH_KINDS])
    return np.cumsum(weights / weights.sum())


KIND_CUMULATIVE = np.vstack([_cumulative(_BROWSER_KINDS), _cumulative(_BUYER_KINDS)])

# Pages with their weight for (browser, buyer, student/job seeker) audiences.
PAGES: tuple[tuple[str, float, float, float], ...] = (
    ("/", 6, 4, 5),
    ("/pricing", 2, 10, 1),
    ("/pricing/enterprise", 0.5, 4, 0.2),
    ("/product/lead-scoring", 3, 6, 2),
    ("/product/lifecycle", 2, 4, 1),
    ("/product/handoff", 1, 3, 0.5),
    ("/integrations/salesforce", 1, 4, 0.3),
    ("/integrations/hubspot", 1.5, 4, 0.5),
    ("/customers", 1.5, 4, 0.5),
    ("/customers/fintech-case-study", 0.5, 2, 0.2),
    ("/compare/leadladder", 0.5, 3, 0.2),
    ("/security", 0.3, 2.5, 0.1),
    ("/docs/getting-started", 2, 4, 2),
    ("/docs/rulebook", 1, 3, 1),
    ("/docs/api/webhooks", 0.5, 2.5, 0.5),
    ("/blog/what-is-an-mql", 6, 2, 6),
    ("/blog/lead-scoring-models-explained", 5, 2, 6),
    ("/blog/sales-marketing-alignment", 4, 1.5, 4),
    ("/blog/revops-metrics-that-matter", 3, 2, 3),
    ("/blog/b2b-attribution-guide", 3, 1, 4),
    ("/blog/marketing-analytics-for-beginners", 3, 0.5, 8),
    ("/about", 1, 1, 2),
    ("/careers", 1, 0.2, 10),
    ("/careers/marketing-intern", 0.3, 0.05, 6),
    ("/careers/account-executive", 0.3, 0.05, 3),
)
PAGE_URLS = np.array([p[0] for p in PAGES], dtype=object)
PAGE_CUMULATIVE = np.vstack(
    [np.cumsum(w / w.sum()) for w in (np.array([p[i] for p in PAGES]) for i in (1, 2, 3))]
)

ASSETS = np.array(
    [
        "ebook-revops-playbook",
        "whitepaper-lead-scoring-benchmarks-2026",
        "report-state-of-b2b-pipeline",
        "template-mql-sla",
        "checklist-crm-hygiene",
        "case-study-fintech-scale-up",
        "guide-intent-data",
        "calculator-funnel-roi",
    ],
    dtype=object,
)
WEBINAR_ASSETS = np.array(
    [
        "webinar-revops-masterclass-ep1",
        "webinar-revops-masterclass-ep2",
        "webinar-revops-masterclass-ep3",
        "webinar-scoring-teardown",
    ],
    dtype=object,
)
EVENT_ASSETS = np.array(
    ["meetup-london", "meetup-new-york", "meetup-berlin", "roadshow-toronto"], dtype=object
)
