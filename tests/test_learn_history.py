"""The training frame from history: features as of each lead's decision time; outcomes after it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.features.frame import build_features
from scoring.learn.history import features_at_decision, outcome_times, training_frame
from scoring.sources.demo import simulate


@pytest.fixture(scope="module")
def demo():
    simulated = simulate(3000, seed=5)
    return simulated, simulated.frames()


def test_each_lead_is_seen_as_of_its_own_decision_time(demo) -> None:
    simulated, frames = demo
    leads = features_at_decision(
        frames.contacts, frames.accounts, simulated.campaigns, frames.touches, decision_days=14
    )
    lead = leads.iloc[len(leads) // 2]
    at = pd.Timestamp(lead["decision_at"])
    alone = build_features(
        frames.contacts[frames.contacts["id"] == lead["lead_id"]],
        frames.accounts,
        simulated.campaigns,
        frames.touches[frames.touches["contact_id"] == lead["lead_id"]],
        as_of=at.to_pydatetime(),
    ).iloc[0]
    for column in ("touches_30d", "page_view_7d", "days_since_touch", "pricing_views_30d"):
        assert alone[column] == pytest.approx(lead[column], nan_ok=True), column
    assert lead["created_at"] == frames.contacts.set_index("id").loc[lead["lead_id"], "created_at"]


def test_no_touch_after_the_decision_time_is_counted(demo) -> None:
    simulated, frames = demo
    leads = features_at_decision(
        frames.contacts, frames.accounts, simulated.campaigns, frames.touches, decision_days=14
    )
    created = frames.contacts.set_index("id")["created_at"]
    touches = frames.touches.assign(
        created=created.reindex(frames.touches["contact_id"]).to_numpy()
    )
    before = touches[touches["occurred_at"] < touches["created"] + pd.Timedelta(days=14)]
    expected = before.groupby("contact_id").size().reindex(leads["lead_id"]).fillna(0).to_numpy()
    assert np.array_equal(leads["touches_total"].to_numpy(), expected)


def test_outcome_times_are_the_first_time_each_stage_was_reached(demo) -> None:
    _, frames = demo
    outcomes = outcome_times(frames.lifecycle_events, frames.opportunities)
    events = frames.lifecycle_events
    first_sal = events[events["to_stage"] == "sal"].groupby("contact_id")["occurred_at"].min()
    assert (
        outcomes["accepted_at"]
        .dropna()
        .sort_index()
        .equals(
            first_sal.sort_index()
            .astype(outcomes["accepted_at"].dtype)
            .rename("accepted_at")
            .rename_axis("lead_id")
        )
    )
    won = frames.opportunities[frames.opportunities["is_won"]]
    assert set(outcomes["won_at"].dropna().index) == set(won["primary_contact_id"])


def test_the_training_frame_carries_features_and_outcomes(demo) -> None:
    simulated, frames = demo
    leads = training_frame(
        frames.contacts,
        frames.accounts,
        simulated.campaigns,
        frames.touches,
        frames.lifecycle_events,
        frames.opportunities,
    )
    assert {
        "lead_id",
        "created_at",
        "decision_at",
        "accepted_at",
        "sales_qualified_at",
        "won_at",
    } <= set(leads)
    assert len(leads) == len(frames.contacts)
    assert (leads["won_at"].dropna() > leads.loc[leads["won_at"].notna(), "created_at"]).all()
