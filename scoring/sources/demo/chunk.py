"""One chunk of the demo: arrivals, accounts, contacts, touches and journeys, assembled into frames."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.sources.demo import clock
from scoring.sources.demo import frames as f
from scoring.sources.demo import market as m
from scoring.sources.demo import vocab as v
from scoring.sources.demo.activity import simulate_activity
from scoring.sources.demo.firmographics import Firms, simulate_firms
from scoring.sources.demo.history import lifecycle_events, lost_reasons, opportunities
from scoring.sources.demo.outcomes import issues, latent, simulate_journey
from scoring.sources.demo.people import NO_ACCOUNT, People, simulate_people
from scoring.sources.demo.sampling import chance, draw
from scoring.sources.demo.teams import assign, territory_table

LEADS_PER_ACCOUNT = 3.2
_STUDENT = v.SENIORITIES.index("student")


@dataclass(frozen=True)
class ChunkIds:
    """The next id of each table (ids run on across chunks)."""

    contact: int
    account: int
    touch: int
    event: int
    opportunity: int


def _arrivals(rng, arrival, start: int, count: int, total: int):
    """Creation times (sorted) and campaigns of leads start..start+count of `total`."""
    day_cdf, mix = arrival
    u = (np.arange(start, start + count) + rng.random(count)) / total
    day = np.minimum(np.searchsorted(day_cdf, u, side="right"), clock.DAYS - 1)
    campaign = draw(rng, mix, day)
    created = clock.START_S + day * clock.DAY + clock.time_of_day(rng, count)
    order = np.argsort(created, kind="stable")
    return created[order], campaign[order]


def _fit_and_issues(people: People, firms: Firms) -> tuple[np.ndarray, np.ndarray]:
    """Hidden fit (person + company) and the first issue sales would find with each contact."""
    has = people.account != NO_ACCOUNT
    row = np.maximum(people.account, 0)
    firm_fit = np.where(has, firms.fit[row], m.REGION_FIT[people.region] - 0.3)
    small = has & (firms.employees[row] < 20)
    existing = has & firms.existing_customer[row]
    flags = {
        "competitor": people.competitor >= 0,
        "duplicate": people.duplicate,
        "invalid_contact_data": people.junk | people.malformed,
        "not_decision_maker": v.TITLE_SENIORITY[people.title] == _STUDENT,
        "outside_territory": ~people.served,
        "existing_customer": existing,
        "no_budget": small,
    }
    return firm_fit + people.fit, issues(flags)


def _reps(reps: pd.DataFrame, people: People, firms: Firms, ids: np.ndarray):
    """(account owner rep per firm, rep per contact): territory by region and size segment."""
    active = territory_table(reps, active=True)
    firm_rep = assign(active, firms.region, firms.segment, firms.id)
    loose = assign(active, people.region, np.zeros(len(ids), np.int64), ids)
    has = people.account != NO_ACCOUNT
    contact_rep = np.where(has, firm_rep[np.maximum(people.account, 0)], loose)
    return firm_rep, contact_rep


def _owners(rng, reps, firms: Firms, people: People, firm_rep, reached_sal) -> np.ndarray:
    """Accounts with an accepted lead, and ~30% of enterprise accounts, have an owner."""
    accepted = np.zeros(len(firms.id), dtype=bool)
    accepted[people.account[reached_sal & (people.account != NO_ACCOUNT)]] = True
    named = (firms.segment == 2) & chance(rng, 0.3, len(firms.id))
    owner = np.where(accepted | named, firm_rep, 0)
    # Some named accounts still belong to reps who have left (nobody reassigned them).
    gone = assign(territory_table(reps, active=False), firms.region, firms.segment, firms.id)
    stale = named & ~accepted & (gone > 0) & chance(rng, 0.1, len(firms.id))
    return np.where(stale, gone, owner)


def simulate_chunk(rng, reps, arrival, start, count, total, ids: ChunkIds, offset, competitors):
    """Frames of one chunk (dict of table name -> frame) and the ids the next chunk starts from."""
    created, campaign = _arrivals(rng, arrival, start, count, total)
    contact_ids = np.arange(ids.contact, ids.contact + count, dtype=np.int64)
    firm_count = max(1, int(np.ceil(count / LEADS_PER_ACCOUNT)))
    first_index = ids.account - len(m.COMPETITORS) - 1
    firms = simulate_firms(rng, firm_count, first_index, ids.account, offset)
    people = simulate_people(rng, contact_ids, campaign, firms)
    fit, issue = _fit_and_issues(people, firms)
    engagement, z = latent(rng, fit, campaign, issue)
    student = v.TITLE_SENIORITY[people.title] == _STUDENT
    audience = np.where(student | chance(rng, 0.03, count), 2, 0)
    activity = simulate_activity(rng, created, campaign, engagement, audience)
    has_account = (people.account != NO_ACCOUNT) | (people.competitor >= 0)
    journey = simulate_journey(
        rng, z, engagement, fit, campaign, issue, created, activity.midpoint, has_account
    )
    firm_rep, contact_rep = _reps(reps, people, firms, contact_ids)
    actors = np.concatenate([[None], "demo:" + reps["email"].to_numpy(dtype=object)])
    lost = lost_reasons(rng, count)
    events = lifecycle_events(journey, created, actors[contact_rep], lost)
    deals = opportunities(rng, journey, f.contact_employees(people, firms), lost)
    reached_sal = (journey.review.at >= 0) & journey.review.ok
    # Handoff assigns every MQL a rep (the contract's mql -> sal needs an owner): MQLs have owners.
    reached_mql = journey.mql_at >= 0
    owners = _owners(rng, reps, firms, people, firm_rep, reached_sal)
    frames = {
        "accounts": f.accounts_frame(rng, firms, owners, people, created, competitors),
        "contacts": f.contacts_frame(people, firms, contact_ids, created, campaign, events,
                                     activity, np.where(reached_mql, contact_rep, 0), journey),
        "touches": f.touches_frame(activity, contact_ids, ids.touch),
        "opportunities": f.opportunities_frame(deals, people, firms, contact_ids, contact_rep,
                                               ids.opportunity),
        "lifecycle_events": f.events_frame(events, contact_ids, ids.event),
    }  # fmt: skip
    following = replace(
        ids,
        contact=ids.contact + count,
        account=ids.account + firm_count,
        touch=ids.touch + len(activity.contact),
        event=ids.event + len(events.contact),
        opportunity=ids.opportunity + len(deals["contact"]),
    )
    return frames, following
