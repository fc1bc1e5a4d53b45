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

# Ordinary rejections (no issue): the review's mix depends on the campaign (see _review_reasons).
_REVIEW_REASONS = np.array(["no_need", "bad_timing", "unresponsive"], dtype=object)
_LATER_REASONS = np.array(["no_need", "bad_timing", "unresponsive", "no_budget"], dtype=object)
_LATER_MIX = cumulative(np.array([0.35, 0.30, 0.20, 0.15]))
# Reasons the contract lets sales recycle to nurture instead of disqualifying (data/lifecycle.yaml).
RECYCLABLE = ("bad_timing", "unresponsive", "no_budget")


@dataclass(frozen=True)
class Decision:
    """One sales step: when (epoch seconds, -1: not yet or never), yes/no, and the reason for no.

    A "no" cites `reason` (a vocabulary code) and goes to nurture when `recycle`, else to
    disqualified.
    """

    at: np.ndarray
    ok: np.ndarray
    reason: np.ndarray
    recycle: np.ndarray


@dataclass(frozen=True)
class Journey:
    """Per-contact times of the marketing steps and the three sales decisions, then the close."""

    propensity: np.ndarray
    issue: np.ndarray  # index into ISSUES, NO_ISSUE for none
    subscriber: np.ndarray  # created as a subscriber (newsletter opt-in, or no company known)
    lead_at: np.ndarray  # subscriber -> lead, on the way to MQL (-1: not taken)
    mql_at: np.ndarray
    review: Decision  # mql -> sal
    qualify: Decision  # sal -> sales_qualified
    opportunity: Decision  # sales_qualified -> opportunity
    close_at: np.ndarray  # opportunity -> customer (won) or nurture (lost)
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


def _review_reasons(rng, issue: np.ndarray, campaign: np.ndarray, n: int) -> np.ndarray:
    """The issue sales caught, else an ordinary reason (outbound and syndication: unresponsive)."""
    weights = np.stack([np.full(n, 0.6), np.full(n, 0.8), 0.7 * c.UNRESPONSIVE[campaign]], axis=1)
    ordinary = _REVIEW_REASONS[draw(rng, cumulative(weights), np.arange(n))]
    return np.where(issue < NO_ISSUE, ISSUE_CODES[issue], ordinary)


def _decision(rng, at: np.ndarray, ok: np.ndarray, reason: np.ndarray) -> Decision:
    recycle = np.isin(reason, RECYCLABLE) & chance(rng, 0.4, len(at))
    return Decision(at, ok, none_where(ok, reason), recycle & ~ok)


def _after(rng, at: np.ndarray, ok: np.ndarray, median: float, spread: float) -> np.ndarray:
    """Time of the next step (-1 unless `ok` and it lands before now)."""
    nxt = at + delay_days(rng, median, spread, len(at))
    return np.where(_step(nxt, ok & (at >= 0)), nxt, -1)


def simulate_journey(rng, z, engagement, fit, campaign, issue, created, midpoint, has_account):
    """Walk every lead down the funnel; times are epoch seconds, -1 where a step did not happen.

    Contacts without a known company stay subscribers: the contract lets only a lead become an MQL
    and only a subscriber with a company become a lead.
    """
    n = len(z)
    subscriber = chance(rng, c.SUBSCRIBER[campaign], n) | ~has_account
    wants_mql = chance(rng, logistic(-1.5 + 1.1 * engagement + 0.15 * fit), n) & has_account
    mql_at = midpoint + rng.integers(300, 6 * clock.HOUR, n)
    mql_at = np.where(_step(mql_at, wants_mql), mql_at, -1)
    is_mql = mql_at >= 0
    lead_at = created + ((mql_at - created) * rng.uniform(0.2, 0.9, n)).astype(np.int64)

    review_at = _after(rng, mql_at, is_mql, 2.0, 0.8)
    caught = chance(rng, _CATCH[issue], n)
    accepted = ~caught & chance(rng, logistic(0.9 + 0.45 * z), n)
    review = _decision(
        rng,
        review_at,
        accepted,
        _review_reasons(rng, np.where(caught, issue, NO_ISSUE), campaign, n),
    )
    qualify_at = _after(rng, review_at, accepted, 8.0, 0.7)
    qualified = chance(rng, logistic(-0.4 + 0.45 * z), n)
    later = _LATER_REASONS[draw(rng, _LATER_MIX, n=n)]
    opportunity_at = _after(rng, qualify_at, qualified, 6.0, 0.7)
    opened = chance(rng, logistic(0.8 + 0.45 * z), n)
    return Journey(
        propensity=logistic(z),
        issue=issue,
        subscriber=subscriber,
        lead_at=np.where(subscriber & is_mql, lead_at, -1),
        mql_at=mql_at,
        review=review,
        qualify=_decision(rng, qualify_at, qualified, later),
        opportunity=_decision(
            rng, opportunity_at, opened, _LATER_REASONS[draw(rng, _LATER_MIX, n=n)]
        ),
        close_at=_after(rng, opportunity_at, opened, 40.0, 0.6),
        won=chance(rng, logistic(-0.5 + 0.45 * z), n),
    )
