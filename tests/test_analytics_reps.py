"""Reps and territories analytics over small hand-made frames: who received which MQL in a week,
load per rep, team and office, the rules in words, where leads are placed, and the threshold what-if."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from scoring.analytics.reps import grouped, handovers, rep_load, threshold_demand
from scoring.analytics.territories import NO_OFFICE, place, rule_sentences
from scoring.handoff.assignment import AssignmentRules, load_assignment

MONDAY, NEXT_MONDAY = datetime(2026, 10, 26), datetime(2026, 11, 2)


@pytest.fixture
def reps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": [1, 2, 3],
            "name": ["Ada", "Bo", "Cy"],
            "team": ["Enterprise", "Enterprise", "SMB"],
            "office": ["Berlin", None, "Austin"],
            "weekly_capacity": [2, 5, 4],
            "active": [True, True, False],
        }
    )


@pytest.fixture
def rules(tmp_path: Path) -> AssignmentRules:
    path = tmp_path / "assignment.yaml"
    path.write_text(
        "version: t1\n"
        "segments: [{name: ENT, min_employees: 1000}, {name: SMB, min_employees: 0}]\n"
        "territories:\n"
        "  - {name: emea_ent, when: {region: [EMEA], segment: [ENT]}, team: Enterprise, office: Berlin}\n"
        "  - {name: rest, when: {}, team: SMB}\n"
        "weights: {ada@example.com: 2}\n",
        encoding="utf-8",
    )
    return load_assignment(path)


def test_recorded_assignments_win_and_entries_into_mql_are_credited_to_the_owner() -> None:
    assignments = pd.DataFrame(
        {"contact_id": [10], "rep_id": [2], "assigned_at": [datetime(2026, 10, 27)]}
    )
    events = pd.DataFrame(
        {
            "contact_id": [10, 11, 12],
            "to_stage": ["mql", "mql", "mql"],
            "occurred_at": [datetime(2026, 10, 27)] * 3,
        }
    )
    contacts = pd.DataFrame({"contact_id": [10, 11, 12], "owner_rep_id": [1, 1, None]})
    handed = handovers(assignments, events, contacts)
    assert sorted(zip(handed["contact_id"], handed["rep_id"], handed["recorded"], strict=True)) == [
        (10, 2, True),
        (11, 1, False),
    ]


def test_the_load_counts_the_week_acceptance_sla_and_deals(reps: pd.DataFrame) -> None:
    handed = pd.DataFrame(
        {
            "contact_id": [1, 2, 3, 4],
            "rep_id": [1, 1, 1, 2],
            "at": [MONDAY, datetime(2026, 11, 1, 23), NEXT_MONDAY, datetime(2026, 10, 20)],
            "recorded": True,
        }
    )
    reached = pd.DataFrame({"sal": [True, False, True, True]}, index=[1, 2, 3, 4])
    late = pd.DataFrame({"contact_id": [7, 8], "owner_rep_id": [2, None]})
    deals = pd.DataFrame(
        {"owner_rep_id": [1, 1, 1, None], "is_closed": [True, True, False, True],
         "is_won": [True, False, False, True]}
    )  # fmt: skip
    load = rep_load(reps, handed, reached, late, deals, start=MONDAY, end=NEXT_MONDAY)
    ada, bo, cy = (load.iloc[i] for i in range(3))
    assert (ada["assigned"], ada["accepted"], ada["won"], ada["closed"]) == (2, 1, 1, 2)
    assert (bo["assigned"], bo["open_past_sla"], bo["office"]) == (0, 1, NO_OFFICE)
    assert cy["capacity"] == 0  # inactive reps take nothing
    by_team = grouped(load, "team").set_index("group")
    assert by_team.loc["Enterprise", "utilisation"] == pytest.approx(2 / 7)
    assert by_team.loc["Enterprise", "win_rate"] == pytest.approx(0.5)
    assert pd.isna(by_team.loc["SMB", "utilisation"])  # no capacity: no rate, not 0 or infinity
    with pytest.raises(ValueError, match="group by one of"):
        grouped(load, "manager")


def test_the_rules_read_as_sentences_in_the_order_they_apply(rules: AssignmentRules) -> None:
    said = rule_sentences(rules)
    assert said[0].startswith("Account owner first")
    assert any(
        "region EMEA and segment ENT go to team Enterprise, office Berlin" in s for s in said
    )
    assert any(s.startswith("Territory: Every other lead go") for s in said)
    assert any("ada@example.com x2" in s for s in said)
    assert said[-1].startswith("Capacity:") and "no overflow team" in said[-1]


def test_leads_are_placed_with_their_owner_else_by_the_first_matching_territory(
    reps: pd.DataFrame, rules: AssignmentRules
) -> None:
    contacts = pd.DataFrame(
        {
            "contact_id": [1, 2, 3, 4],
            "owner_rep_id": [None, 3, None, None],
            "account_id": [100, None, None, 101],
            "country": ["DE", "US", "DE", "US"],
            "region": ["EMEA", "NA", "EMEA", None],
            "employees": [5000, 10, 20, None],
        }
    )
    accounts = pd.DataFrame({"account_id": [100, 101], "account_owner_rep_id": [None, 1]})
    placed = place(contacts, accounts, reps, rules).set_index("contact_id")
    assert placed.loc[1, ["team", "office", "placed_by"]].tolist() == [
        "Enterprise", "Berlin", "territory",
    ]  # fmt: skip
    assert placed.loc[2, "placed_by"] == "territory"  # its owner has left: the rules decide
    assert placed.loc[3, ["team", "office"]].tolist() == ["SMB", NO_OFFICE]
    assert placed.loc[4, ["team", "office", "placed_by"]].tolist() == [
        "Enterprise", "Berlin", "owner",
    ]  # fmt: skip


def test_a_lower_threshold_sends_more_mqls_and_can_push_a_team_over_capacity(
    reps: pd.DataFrame,
) -> None:
    scores = pd.DataFrame(
        {
            "lead_id": [1, 2, 3, 4, 5],
            "score": [80.0, 55.0, 52.0, 90.0, 58.0],
            "threshold": [60.0, 60.0, 60.0, 70.0, 60.0],
            "failed_gates": ["", "", "", "", "business_email"],
        }
    )
    placed = pd.DataFrame({"contact_id": [1, 2, 3, 4, 5], "team": ["Enterprise"] * 5})
    created = pd.Series([MONDAY] * 5, index=[1, 2, 3, 4, 5])
    kwargs = {"default": 60.0, "by": "team", "start": MONDAY, "end": NEXT_MONDAY}
    at_60 = threshold_demand(scores, placed, created, reps, threshold=60.0, **kwargs)
    at_50 = threshold_demand(scores, placed, created, reps, threshold=50.0, **kwargs)
    enterprise_60 = at_60.set_index("group").loc["Enterprise"]
    enterprise_50 = at_50.set_index("group").loc["Enterprise"]
    assert enterprise_60["mqls_per_week"] == 2  # lead 4 has its segment's 70; lead 5 fails a gate
    assert enterprise_50["mqls_per_week"] == 4 and enterprise_50["capacity"] == 7
    at_20 = threshold_demand(scores.assign(score=100.0, failed_gates=""), placed, created,
                             reps.assign(weekly_capacity=1), threshold=20.0, **kwargs)  # fmt: skip
    assert at_20.set_index("group").loc["Enterprise", "over"]
    assert set(at_20["group"]) == {"Enterprise"}  # SMB's only rep is inactive: no capacity row
