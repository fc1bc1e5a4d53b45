"""Touches of one chunk: how many, when, what kind, which page or asset, which campaign.

A lead's first touch is the one that created it (its campaign's entry touch). Later touches follow
its latent engagement: engaged buyers view pricing, request demos and meet sales; others read the
blog, open newsletters and sometimes unsubscribe; students and job seekers look at /careers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.sources.demo import campaigns as c
from scoring.sources.demo import clock
from scoring.sources.demo import web as w
from scoring.sources.demo.sampling import chance, draw, logistic

_KIND = {k: i for i, k in enumerate(w.KINDS)}
_NEWSLETTER = c.INDEX["email-newsletter"]
_MASTERCLASS = c.INDEX["webinar-revops-masterclass"]
_URL_BY_KIND = {"form_submit": "/contact", "demo_request": "/demo"}


@dataclass(frozen=True)
class Activity:
    """Touch column arrays (ordered by contact, then time) and per-contact summaries."""

    contact: np.ndarray  # row of the contact in the chunk
    campaign: np.ndarray  # campaign index or -1
    kind: np.ndarray  # object
    occurred_at: np.ndarray  # epoch seconds
    url: np.ndarray  # object
    asset: np.ndarray  # object
    midpoint: np.ndarray  # per contact: time of the touch half-way through its history
    last: np.ndarray  # per contact: time of its last touch
    unsubscribed: np.ndarray  # per contact


def _counts(rng, engagement: np.ndarray, created: np.ndarray, campaign: np.ndarray) -> np.ndarray:
    """Touches per lead: one entry touch plus a Poisson number, fewer for very recent leads."""
    span_days = (clock.NOW_S - created) / clock.DAY
    rate = np.exp(1.12 + 0.45 * engagement) * (0.25 + 0.75 * np.minimum(1.0, span_days / 120))
    rate = np.where(campaign == c.INDEX["outbound-enterprise"], rate * 0.6, rate)
    return 1 + np.minimum(rng.poisson(rate), 60)


def _times(rng, owner: np.ndarray, first: np.ndarray, created: np.ndarray) -> np.ndarray:
    """Touch times after creation, denser soon after it, within a year and before "now"."""
    start = created[owner]
    span = np.minimum(clock.NOW_S - 1 - start, 365 * clock.DAY)
    times = start + (span * rng.beta(0.7, 2.2, len(owner))).astype(np.int64)
    times[first] = start[first]
    return times


def _pages(rng, kind: np.ndarray, profile: np.ndarray) -> np.ndarray:
    url = np.full(len(kind), None, dtype=object)
    viewed = (kind == _KIND["page_view"]) | (kind == _KIND["email_click"])
    url[viewed] = w.PAGE_URLS[draw(rng, w.PAGE_CUMULATIVE, profile[viewed])]
    for name, path in _URL_BY_KIND.items():
        url[kind == _KIND[name]] = path
    return url


def _assets(rng, kind: np.ndarray) -> np.ndarray:
    asset = np.full(len(kind), None, dtype=object)
    for kinds, pool in (
        (("content_download",), w.ASSETS),
        (("webinar_registered", "webinar_attended"), w.WEBINAR_ASSETS),
        (("event_attended",), w.EVENT_ASSETS),
    ):
        rows = np.flatnonzero(np.isin(kind, [_KIND[k] for k in kinds]))
        asset[rows] = pool[rng.integers(0, len(pool), len(rows))]
    return asset


def _attribution(rng, kind: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Later touches: newsletters, the webinar series, or the original campaign's retargeting."""
    campaign = np.full(len(kind), -1, dtype=np.int64)
    email = np.isin(kind, [_KIND["email_open"], _KIND["email_click"], _KIND["unsubscribe"]])
    campaign[email] = _NEWSLETTER
    campaign[np.isin(kind, [_KIND["webinar_registered"], _KIND["webinar_attended"]])] = _MASTERCLASS
    retarget = np.isin(kind, [_KIND["page_view"], _KIND["content_download"]])
    retarget &= chance(rng, 0.3, len(kind))
    campaign[retarget] = original[retarget]
    return campaign


def simulate_activity(rng, created, campaign, engagement, audience) -> Activity:
    """Touches of the chunk's leads; `audience` is 2 for students and job seekers, else 0."""
    counts = _counts(rng, engagement, created, campaign)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    owner = np.repeat(np.arange(len(created)), counts)
    first = np.zeros(len(owner), dtype=bool)
    first[starts] = True
    times = _times(rng, owner, first, created)
    order = np.lexsort((~first, times, owner))  # the entry touch first on a tie
    times, first = times[order], first[order]
    buyer = chance(rng, logistic(1.2 * engagement - 0.6)[owner], len(owner))
    kind = draw(rng, w.KIND_CUMULATIVE, buyer.astype(np.int64))
    entry_kind = np.array([_KIND[k] for k in c.ENTRY_KINDS])
    kind[first] = entry_kind[campaign]
    profile = np.where(audience[owner] == 2, 2, buyer.astype(np.int64))
    url = _pages(rng, kind, profile)
    asset = _assets(rng, kind)
    touch_campaign = _attribution(rng, kind, campaign[owner])
    url[first], asset[first], touch_campaign[first] = (
        c.ENTRY_URLS[campaign],
        c.ENTRY_ASSETS[campaign],
        campaign,
    )
    unsubscribed = np.zeros(len(created), dtype=bool)
    unsubscribed[owner[kind == _KIND["unsubscribe"]]] = True
    return Activity(
        contact=owner,
        campaign=touch_campaign,
        kind=w.KINDS[kind],
        occurred_at=times,
        url=url,
        asset=asset,
        midpoint=times[starts + counts // 2],
        last=times[starts + counts - 1],
        unsubscribed=unsubscribed,
    )
