"""What happens to each lead: the hidden propensity and the walk down the funnel it drives.

propensity = logistic(z), z = fit + engagement + campaign quality + issue penalty + noise. Marketing
sees engagement and fit (MQL); sales sees the issues (competitor, duplicate, junk data, students,
territory, existing customers, tiny companies) and rejects with the matching reason; later stages
depend on z alone. Each step takes time; a step that would land after "now" has not happened yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.sources.demo import campaigns as c
from scoring.sources.demo import clock
from scoring.sources.demo.sampling import (
    chance,
    cumulative,
    delay_days,
    draw,
    logistic,
    none_where,
)

# Issues sales notices, in priority order: (reason code, propensity penalty, chance sales catches it).
ISSUES: tuple[tuple[str, float, float], ...] = (
    ("competitor", -3.0, 0.95),
    ("duplicate", -2.5, 0.90),
    ("invalid_contact_data", -2.0, 0.85),
    ("not_decision_maker", -2.0, 0.90),
    ("outside_territory", -1.5, 0.80),
    ("existing_customer", -1.5, 0.85),
    ("no_budget", -1.0, 0.55),
)
ISSUE_CODES = np.array([i[0] for i in ISSUES] + [None], dtype=object)  # last: no issue
_PENALTY = np.array([i[1] for i in ISSUES] + [0.0])
_CATCH = np.array([i[2] for i in ISSUES] + [0.0])
NO_ISSUE = len(ISSUES)

# Ordinary rejections (no issue) at each sales step: reason weights, the rest go to nurture.
_REVIEW_REASONS = np.array(["no_need", "bad_timing", "unresponsive"], dtype=object)
_LATER_REASONS = np.array(["no_need", "bad_timing", "unresponsive", "no_budget"], dtype=object)
_LATER_MIX = cumulative(np.array([0.35, 0.30, 0.20, 0.15]))


@dataclass(frozen=True)
class Journey:
    """Per-contact step times (epoch seconds, -1: did not happen) and the decisions taken."""

    propensity: np.ndarray
    issue: np.ndarray  # index into ISSUES, NO_ISSUE for none
    subscriber: np.ndarray  # created as a newsletter subscriber
    lead_at: np.ndarray  # subscriber -> lead (only on the way to MQL)
    mql_at: np.ndarray
    stale_at: np.ndarray  # never-MQL lead moved to nurture
    review_at: np.ndarray
    accepted: np.ndarray
    review_reason: np.ndarray  # object: reason code or None (nurture) when rejected
    qualify_at: np.ndarray
    qualified: np.ndarray
    qualify_reason: np.ndarray
    opportunity_at: np.ndarray
    opened: np.ndarray
    opportunity_reason: np.ndarray
    close_at: np.ndarray
    won: np.ndarray


def issues(people_flags: dict[str, np.ndarray]) -> np.ndarray:
    """The first issue (in ISSUES order) each contact has, NO_ISSUE if none."""
    conditions = [people_flags[code] for code, _, _ in ISSUES]
    return np.select(conditions, np.arange(len(ISSUES)), NO_ISSUE)


def latent(rng, fit: np.ndarray, campaign: np.ndarray, issue: np.ndarray):
    """(engagement, z): latent engagement and the hidden propensity's logit."""
    n = len(fit)
    engagement = c.ENGAGEMENT[campaign] + 0.25 * fit + rng.normal(0.0, 1.0, n)
    z = -1.2 + 0.7 * fit + 0.35 * engagement + c.QUALITY[campaign] + _PENALTY[issue]
    return engagement, z + rng.normal(0.0, 0.8, n)


def _step(at: np.ndarray, previous_ok: np.ndarray) -> np.ndarray:
    """A step happened if the previous one did and it lands before now."""
    return previous_ok & (at >= 0) & (at < clock.NOW_S)


def _reject_reasons(rng, issue: np.ndarray, campaign: np.ndarray, n: int) -> np.ndarray:
    weights = np.stack([np.full(n, 1.0), np.full(n, 0.8), 0.6 * c.UNRESPONSIVE[campaign]], axis=1)
    ordinary = _REVIEW_REASONS[draw(rng, cumulative(weights), np.arange(n))]
    ordinary[chance(rng, 0.25, n)] = None  # recycled to nurture instead
    return np.where(issue < NO_ISSUE, ISSUE_CODES[issue], ordinary)


def _later(rng, ok: np.ndarray, n: int) -> np.ndarray:
    reason = _LATER_REASONS[draw(rng, _LATER_MIX, n=n)]
    reason[chance(rng, 0.3, n)] = None
    return none_where(ok, reason)


def _after(rng, at: np.ndarray, ok: np.ndarray, median: float, spread: float) -> np.ndarray:
    """Time of the next step (-1 unless `ok` and it lands before now)."""
    nxt = at + delay_days(rng, median, spread, len(at))
    return np.where(_step(nxt, ok & (at >= 0)), nxt, -1)


def simulate_journey(rng, z, engagement, fit, campaign, issue, created, midpoint) -> Journey:
    """Walk every lead down the funnel; times are epoch seconds, -1 where a step did not happen."""
    n = len(z)
    subscriber = chance(rng, c.SUBSCRIBER[campaign], n)
    wants_mql = chance(rng, logistic(-1.5 + 1.1 * engagement + 0.15 * fit), n)
    mql_at = midpoint + rng.integers(300, 6 * clock.HOUR, n)
    mql_at = np.where(_step(mql_at, wants_mql), mql_at, -1)
    is_mql = mql_at >= 0
    lead_at = created + ((mql_at - created) * rng.uniform(0.2, 0.9, n)).astype(np.int64)
    stale_at = created + rng.integers(120, 240, n) * clock.DAY
    stale = ~wants_mql & chance(rng, 0.5, n)

    review_at = _after(rng, mql_at, is_mql, 2.0, 0.8)
    caught = chance(rng, _CATCH[issue], n)
    accepted = ~caught & chance(rng, logistic(0.9 + 0.45 * z), n)
    qualify_at = _after(rng, review_at, accepted, 8.0, 0.7)
    qualified = chance(rng, logistic(-0.4 + 0.45 * z), n)
    opportunity_at = _after(rng, qualify_at, qualified, 6.0, 0.7)
    opened = chance(rng, logistic(0.8 + 0.45 * z), n)
    close_at = _after(rng, opportunity_at, opened, 40.0, 0.6)
    return Journey(
        propensity=logistic(z),
        issue=issue,
        subscriber=subscriber,
        lead_at=np.where(subscriber & is_mql, lead_at, -1),
        mql_at=mql_at,
        stale_at=np.where(_step(stale_at, stale), stale_at, -1),
        review_at=review_at,
        accepted=accepted,
        review_reason=_reject_reasons(rng, np.where(caught, issue, NO_ISSUE), campaign, n),
        qualify_at=qualify_at,
        qualified=qualified,
        qualify_reason=_later(rng, qualified, n),
        opportunity_at=opportunity_at,
        opened=opened,
        opportunity_reason=_later(rng, opened, n),
        close_at=close_at,
        won=chance(rng, logistic(-0.5 + 0.45 * z), n),
    )
