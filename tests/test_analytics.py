"""Funnel, campaign, disqualification and flow analytics on small frames with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.analytics import (
    campaign_table,
    conversion,
    funnel_counts,
    reached_stages,
    reason_deviation,
    reason_matrix,
    sla_breaches,
    time_in_stage,
    transition_counts,
)
from scoring.analytics.disqualification import disqualifications
from scoring.analytics.flows import business_due
from scoring.lifecycle.sla import due_at

T0 = datetime(2026, 3, 2, 9, 0)  # a Monday


def _events(rows: list[tuple[int, str | None, str, int, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["contact_id", "from_stage", "to_stage", "day", "reason_code"]
    )
    frame["occurred_at"] = [T0 + timedelta(days=d) for d in frame["day"]]
    frame["event_id"] = range(1, len(frame) + 1)
    frame["note"] = None
    frame["actor"] = "test"
    return frame.drop(columns="day")


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": [1, 2, 3, 4],
            "lifecycle_stage": ["customer", "disqualified", "lead", "sal"],
            "campaign": ["web", "web", "ads", "ads"],
            "channel": ["organic", "organic", "paid_search", "paid_search"],
            "created_at": [T0] * 4,
        }
    )


@pytest.fixture
def events() -> pd.DataFrame:
    return _events(
        [
            (1, None, "lead", 0, None),
            (1, "lead", "mql", 1, None),
            (1, "mql", "sal", 2, None),
            (1, "sal", "sales_qualified", 5, None),
            (1, "sales_qualified", "opportunity", 6, None),
            (1, "opportunity", "customer", 30, None),
            (2, None, "lead", 0, None),
            (2, "lead", "mql", 3, None),
            (2, "mql", "disqualified", 9, "no_budget"),
            (3, None, "lead", 0, None),
            (4, None, "lead", 0, None),
            (4, "lead", "mql", 1, None),
            (4, "mql", "sal", 4, None),
        ]
    )


def test_reached_stages_and_funnel(contacts: pd.DataFrame, events: pd.DataFrame) -> None:
    reached = reached_stages(contacts, events)
    assert reached.loc[2, "mql"] and not reached.loc[2, "sal"]
    assert reached.loc[1, "customer"]
    funnel = funnel_counts(reached).set_index("stage")
    assert funnel.loc["lead", "contacts"] == 4
    assert funnel.loc["mql", "contacts"] == 3
    assert funnel.loc["sal", "contacts"] == 2
    assert funnel.loc["sal", "from_previous"] == pytest.approx(2 / 3)
    assert conversion(reached, "mql", "customer") == pytest.approx(1 / 3)


def test_campaign_table(contacts: pd.DataFrame, events: pd.DataFrame) -> None:
    opportunities = pd.DataFrame({"contact_id": [1], "amount": [5000.0], "is_won": [True]})
    campaigns = pd.DataFrame(
        {"campaign": ["web", "ads"], "channel": ["organic", "paid_search"], "cost": [None, 300.0]}
    )
    campaigns["cost"] = campaigns["cost"].astype(float)
    table = campaign_table(
        contacts, reached_stages(contacts, events), events, opportunities, campaigns
    )
    web = table.set_index("campaign").loc["web"]
    ads = table.set_index("campaign").loc["ads"]
    assert (web["contacts"], web["reached_mql"], web["accepted"], web["won"]) == (2, 2, 1, 1)
    assert (web["disqualified"], web["disqualification_rate"]) == (1, 0.5)  # contact 2
    assert (ads["disqualified"], ads["disqualification_rate"]) == (0, 0.0)
    assert web["acceptance"] == pytest.approx(0.5)
    assert web["revenue"] == 5000.0
    assert np.isnan(web["cost_per_mql"])
    assert ads["cost_per_mql"] == pytest.approx(300.0)
    assert np.isnan(ads["cost_per_win"])
    assert ads["median_days_mql_to_sal"] == pytest.approx(3.0)
    assert web["median_days_to_mql"] == pytest.approx(2.0)


def test_transitions_and_time_in_stage(events: pd.DataFrame) -> None:
    counts = transition_counts(events).set_index(["source", "target"])["count"]
    assert counts[("(created)", "lead")] == 4
    assert counts[("lead", "mql")] == 3
    stays = time_in_stage(events, now=T0 + timedelta(days=40)).set_index("stage")
    assert stays.loc["mql", "completed"] == 3
    assert stays.loc["mql", "median_days"] == pytest.approx(3.0)  # stays of 1, 6 and 3 days
    assert stays.loc["sal", "in_stage_now"] == 1


def test_sla_breaches_find_slow_acceptances(events: pd.DataFrame) -> None:
    late = sla_breaches(events, {"mql": 2}, now=T0 + timedelta(days=40))
    # 4: Tuesday 09:00 -> due Thursday 09:00, left Friday: 1 day late.
    # 2: Thursday 09:00 -> due Monday 09:00, left Wednesday: 2 days late. 1 left after one day.
    assert late["contact_id"].tolist() == [4, 2]
    assert late["late_days"].tolist() == pytest.approx([1.0, 2.0])


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)),
    st.integers(0, 15),
)
def test_vectorised_due_dates_match_the_contract_sla(entered: datetime, days: int) -> None:
    vectorised = business_due(pd.Series([pd.Timestamp(entered)]), days).iloc[0]
    assert vectorised.to_pydatetime() == due_at(entered, days)


def test_deviating_reason_mix_is_flagged_and_typical_one_is_not() -> None:
    rng = np.random.default_rng(3)
    reasons = np.array(["no_budget", "no_need", "bad_timing", "not_decision_maker"])
    overall = [0.3, 0.3, 0.3, 0.1]
    rows = [("typical", r) for r in rng.choice(reasons, 400, p=overall)]
    rows += [("other", r) for r in rng.choice(reasons, 400, p=overall)]
    rows += [("students", r) for r in rng.choice(reasons, 60, p=[0.1, 0.1, 0.1, 0.7])]
    moves = pd.DataFrame(rows, columns=["campaign", "reason_code"])
    result = reason_deviation(reason_matrix(moves)).set_index("group")
    assert result.loc["students", "deviates"]
    assert result.loc["students", "top_reason"] == "not_decision_maker"
    assert not result.loc["typical", "deviates"]
    assert "chi-square" in result.attrs["statistic"]


def test_disqualifications_carry_group_and_reason(
    contacts: pd.DataFrame, events: pd.DataFrame
) -> None:
    moves = disqualifications(events, contacts)
    assert moves[["contact_id", "campaign", "reason_code"]].values.tolist() == [
        [2, "web", "no_budget"]
    ]
    assert reason_matrix(moves, share=True).loc["web", "no_budget"] == 1.0


def test_lead_filter_selects_by_every_dimension() -> None:
    from datetime import date

    from scoring.analytics.filters import LeadFilter, segment_of

    contacts = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "campaign": ["a", "b", "a"],
            "channel": ["webinar", "events", "webinar"],
            "employees": [50, 5000, None],
            "country": ["US", "DE", "US"],
        }
    )
    assert segment_of(contacts["employees"]).tolist() == ["SMB", "Enterprise", "Unknown"]
    assert LeadFilter().mask(contacts).all()
    assert LeadFilter(start=date(2026, 1, 15)).mask(contacts).tolist() == [False, True, True]
    assert LeadFilter(end=date(2026, 2, 1)).mask(contacts).tolist() == [True, True, False]
    assert LeadFilter(campaigns=("a",), segments=("SMB",)).mask(contacts).tolist() == [
        True,
        False,
        False,
    ]
    assert LeadFilter(countries=("DE",), channels=("events",)).mask(contacts).tolist() == [
        False,
        True,
        False,
    ]


def test_quality_summary_counts_each_problem() -> None:
    from scoring.analytics.quality import quality_summary

    contacts = pd.DataFrame(
        {
            "email": ["ann@acme.io", "bad-email", "bob@gmail.com", None, "ann.b@acme.io"],
            "first_name": ["Ann", "Carl", "Bob", "Dee", "ann"],
            "last_name": ["Lee", "Ray", "Oz", "Kim", "LEE"],
            "job_title": ["CTO", None, "", "VP", "CTO"],
            "seniority": ["c_level"] * 5,
            "country": ["US"] * 5,
            "account_id": [1, 2, None, 3, 1],
        }
    )
    summary = quality_summary(contacts)
    assert (summary.contacts, summary.invalid_emails, summary.personal_emails) == (5, 1, 1)
    assert summary.duplicates == 1  # Ann Lee at account 1, twice
    missing = summary.missing.set_index("field")["missing"]
    assert missing["email"] == 1
    assert missing["job_title"] == 2
    assert missing["account_id"] == 1


def test_a_significant_but_tiny_difference_is_not_flagged() -> None:
    reasons = ["no_budget", "no_need", "bad_timing"]
    counts = pd.DataFrame(
        [[34000, 33000, 33000], [33000, 34000, 33000], [33500, 33500, 33000]],
        index=["a", "b", "c"],
        columns=reasons,
    )
    result = reason_deviation(counts).set_index("group")
    assert (result["p_value"] < 0.001).any()  # significant at this size...
    assert not result["deviates"].any()  # ...but far below a material effect
