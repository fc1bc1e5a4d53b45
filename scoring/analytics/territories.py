"""Where MQLs go, from the assignment rules (data/assignment.yaml): the rules in plain English and every
lead placed in a team and an office at once (vectorised), as the handoff's first steps would place it.

    sentences = rule_sentences(rules)                      # for people
    placed = place(contacts, accounts, reps, rules)        # contact_id, team, office, placed_by

The rules object is `scoring.handoff.assignment.AssignmentRules` (read by an edge); only its fields
are used here, so the core stays free of the handoff package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

NO_TEAM, NO_OFFICE = "No team", "No office"
KEY_WORDS = {"country": "country", "region": "region", "segment": "segment"}


class SegmentLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def min_employees(self) -> int: ...


class TerritoryLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def when(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def team(self) -> str | None: ...
    @property
    def territory(self) -> str | None: ...
    @property
    def office(self) -> str | None: ...


class RulesLike(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def account_owner_first(self) -> bool: ...
    @property
    def segments(self) -> Sequence[SegmentLike]: ...
    @property
    def territories(self) -> Sequence[TerritoryLike]: ...
    @property
    def weights(self) -> Mapping[str, float]: ...
    @property
    def overflow_team(self) -> str | None: ...


def _pool(territory: TerritoryLike) -> str:
    parts = [f"team {territory.team}" if territory.team else "the reps"]
    if territory.territory:
        parts.append(f"territory {territory.territory}")
    if territory.office:
        parts.append(f"office {territory.office}")
    return ", ".join(parts)


def territory_sentence(territory: TerritoryLike) -> str:
    """One territory rule in words: 'Leads with region NA and segment ENT go to team Enterprise'."""
    conditions = " and ".join(
        f"{KEY_WORDS.get(key, key)} {' or '.join(values)}" for key, values in territory.when.items()
    )
    who = f"Leads with {conditions}" if conditions else "Every other lead"
    return f"{who} go to {_pool(territory)} (rule {territory.name})."


def rule_sentences(rules: RulesLike) -> list[str]:
    """The assignment rules in the order the handoff applies them, one sentence each."""
    said = []
    if rules.account_owner_first:
        said.append(
            "Account owner first: an active rep who owns the lead's account receives it, "
            "whatever their capacity."
        )
    bands = sorted(rules.segments, key=lambda s: s.min_employees)
    if bands:
        said.append(
            "Segments by the account's employees: "
            + ", ".join(f"{s.name} from {s.min_employees:,}" for s in bands)
            + "."
        )
    said.extend(f"Territory: {territory_sentence(t)}" for t in rules.territories)
    weights = ", ".join(f"{who} x{w:g}" for who, w in sorted(rules.weights.items()))
    said.append(
        "Round robin within the team: the active rep under weekly capacity with the fewest MQLs "
        "this week (divided by their weight) receives the next one"
        + (f"; weights: {weights}." if weights else "; every rep weighs the same.")
    )
    said.append(
        "Capacity: a rep who has received their weekly capacity gets no more MQLs until Monday; "
        + (
            f"when the whole team is full, team {rules.overflow_team} takes the overflow."
            if rules.overflow_team
            else "when the whole team is full, the lead waits as a lead (no overflow team)."
        )
    )
    return said


def _segments(employees: pd.Series, segments: Sequence[SegmentLike]) -> pd.Series:
    named = pd.Series(pd.NA, index=employees.index, dtype=object)
    for segment in sorted(segments, key=lambda s: s.min_employees):
        named = named.mask(employees >= segment.min_employees, segment.name)
    return named


def place(
    contacts: pd.DataFrame, accounts: pd.DataFrame, reps: pd.DataFrame, rules: RulesLike
) -> pd.DataFrame:
    """Every contact's team and office: its owner's (the contact's rep, else its account's), else the
    first territory rule that matches its country, region and segment.

    Args:
        contacts: contact_id, owner_rep_id, account_id, country, region, employees.
        accounts: account_id, account_owner_rep_id.
        reps: rep_id, team, office, active.

    Returns:
        contact_id, team, office (NO_TEAM / NO_OFFICE where nothing says), placed_by
        ("owner", "territory" or "none").
    """
    owners = accounts.set_index(accounts["account_id"].astype("Int64"))["account_owner_rep_id"]
    owner = contacts["owner_rep_id"].astype("Int64")
    if rules.account_owner_first:  # as the handoff: the account's owner before the contact's
        owner = contacts["account_id"].astype("Int64").map(owners).astype("Int64").fillna(owner)
    else:
        owner = owner.fillna(contacts["account_id"].astype("Int64").map(owners).astype("Int64"))
    staff = reps.assign(rep_id=reps["rep_id"].astype("Int64")).set_index("rep_id")
    owned = owner.notna() & owner.isin(staff.index[staff["active"].astype(bool)])
    team = owner.map(staff["team"].astype(object)).astype(object).where(owned)
    office = owner.map(staff["office"].astype(object)).astype(object).where(owned)
    facts = {
        "country": contacts["country"],
        "region": contacts["region"],
        "segment": _segments(contacts["employees"], rules.segments),
    }
    routed = pd.Series(False, index=contacts.index)
    for territory in rules.territories:
        match = ~owned & ~routed
        for key, values in territory.when.items():
            match &= facts[key].isin(list(values)).fillna(False).astype(bool)
        team = team.mask(match, territory.team)
        office = office.mask(match, territory.office)
        routed |= match
    return pd.DataFrame(
        {
            "contact_id": contacts["contact_id"].to_numpy(),
            "team": team.fillna(NO_TEAM).astype(str).to_numpy(),
            "office": office.fillna(NO_OFFICE).astype(str).to_numpy(),
            "placed_by": np.select(
                [owned.to_numpy(dtype=bool), routed.to_numpy(dtype=bool)],
                ["owner", "territory"],
                "none",
            ),
        }
    )
