"""Assignment rules: account owner first, territory rules, weighted round robin within capacity."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from scoring.db.models import Account, Assignment, Contact, Rep
from scoring.errors import AssignmentError
from scoring.handoff.assignment import (
    DEFAULT_ASSIGNMENT,
    assign,
    decide,
    load_assignment,
    week_start,
)

MONDAY = datetime(2026, 11, 23, 9, 0)
RULES = load_assignment(DEFAULT_ASSIGNMENT)


def world(
    engine: Engine,
    *reps: tuple[str, str, str, int, bool],
    owner: int | None = None,
    **account: object,
) -> None:
    with engine.begin() as connection:
        for i, (email, team, territory, capacity, active) in enumerate(reps, start=1):
            connection.execute(
                insert(Rep).values(
                    id=i,
                    email=email,
                    name=email,
                    team=team,
                    territory=territory,
                    weekly_capacity=capacity,
                    active=active,
                )
            )
        values = {
            "name": "Acme",
            "domain": "acme.example",
            "country": "US",
            "region": "NA",
            "employees": 500,
            "owner_rep_id": owner,
        }
        connection.execute(insert(Account).values(id=1, **{**values, **account}))


def lead(session: Session, n: int) -> Contact:
    contact = Contact(
        id=n,
        external_id=f"c-{n}",
        account_id=1,
        lifecycle_stage="mql",
        created_at=MONDAY,
        updated_at=MONDAY,
        do_not_contact=False,
    )
    session.add(contact)
    session.flush()
    return contact


MM = ("Mid-Market", "NA-MM")


def test_the_account_owner_gets_the_lead_even_over_capacity(sqlite_engine: Engine) -> None:
    world(sqlite_engine, ("ada@x", *MM, 0, True), owner=1)
    with Session(sqlite_engine) as session:
        decision = decide(session, RULES, lead(session, 1), MONDAY)
    assert decision is not None
    assert (decision.rep.email, decision.rule) == ("ada@x", "account_owner")
    assert decision.reason == "ada@x owns account Acme (acme.example)"


def test_an_inactive_owner_falls_through_to_the_territory(sqlite_engine: Engine) -> None:
    world(sqlite_engine, ("gone@x", *MM, 10, False), ("bo@x", *MM, 10, True), owner=1)
    with Session(sqlite_engine) as session:
        decision = decide(session, RULES, lead(session, 1), MONDAY)
    assert decision is not None
    assert (decision.rep.email, decision.rule) == ("bo@x", "territory:na_mid_market")
    assert decision.reason.startswith(
        "country=US, region=NA, segment=MM -> territory:na_mid_market"
    )


@pytest.mark.parametrize(
    ("account", "rule"),
    [
        ({"region": "NA", "employees": 5000}, "territory:na_enterprise"),
        ({"region": "EMEA", "employees": 5000}, "territory:emea_enterprise"),
        ({"region": "EMEA", "employees": 20}, "territory:emea_commercial"),
        ({"region": "APAC", "employees": 20}, "territory:apac"),
        ({"region": None, "employees": None}, "territory:everyone_else"),
    ],
)
def test_territory_rules_route_by_region_and_segment(
    sqlite_engine: Engine, account: dict[str, object], rule: str
) -> None:
    teams = [
        ("a@x", "Enterprise", "NA-ENT"),
        ("b@x", "Enterprise", "EMEA-ENT"),
        ("c@x", "Mid-Market", "EMEA-MM"),
        ("d@x", "International", "APAC"),
        ("e@x", "SMB Inside Sales", "NA-SMB"),
    ]
    world(sqlite_engine, *[(e, t, z, 10, True) for e, t, z in teams], **account)
    with Session(sqlite_engine) as session:
        decision = decide(session, RULES, lead(session, 1), MONDAY)
    assert decision is not None and decision.rule == rule


def test_weighted_round_robin_respects_weights_capacity_and_the_week(engine: Engine) -> None:
    world(engine, ("ada@x", *MM, 3, True), ("bo@x", *MM, 100, True), ("cy@x", *MM, 100, False))
    rules = RULES.model_copy(update={"weights": {"bo@x": 2.0}})
    picked = []
    with Session(engine) as session:
        for n in range(1, 10):
            decision = assign(session, rules, lead(session, n), MONDAY + timedelta(minutes=n))
            assert decision is not None
            picked.append(decision.rep.email)
        session.flush()
        next_week = assign(session, rules, lead(session, 10), MONDAY + timedelta(days=7))
        stored = session.scalars(select(Assignment.reason).order_by(Assignment.id)).all()
    assert picked.count("ada@x") == 3  # her weekly capacity
    assert picked.count("bo@x") == 6
    assert picked[:3] == ["bo@x", "ada@x", "bo@x"]  # weight 2: Bo takes two for each of Ada's
    assert next_week is not None  # a new week: counts start again from zero
    assert "bo@x had 0 of 100 this week (weight 2)" in next_week.reason
    assert "ada@x had 0 of 3 this week (weight 1)" in stored[1]


def test_nobody_with_capacity_means_no_assignment(sqlite_engine: Engine) -> None:
    world(sqlite_engine, ("ada@x", *MM, 0, True))
    with Session(sqlite_engine) as session:
        assert decide(session, RULES, lead(session, 1), MONDAY) is None


def test_the_week_starts_on_monday() -> None:
    assert week_start(datetime(2026, 11, 29, 23, 0)) == datetime(2026, 11, 23)


def test_a_bad_assignment_file_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "assignment.yaml"
    bad.write_text(
        "version: '1'\n"
        "territories:\n"
        "  - name: eu\n"
        "    when: {continent: [EU]}\n"
        "    team: Europe\n"
        "  - name: nobody\n"
        "weights: {a@x: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(AssignmentError) as failed:
        load_assignment(bad)
    text = str(failed.value)
    assert f"{bad}:6: Value error, a territory rule needs a `team`, an `office` or both" in text
    assert len(failed.value.problems) == 1  # structure first; key checks run on a valid structure
    bad.write_text(bad.read_text().replace("  - name: nobody\n", ""), encoding="utf-8")
    with pytest.raises(AssignmentError) as failed:
        load_assignment(bad)
    assert [str(p) for p in failed.value.problems] == [
        f"{bad}:4: unknown key 'continent'; use country, region, segment",
        f"{bad}:6: weight of a@x must be positive",
    ]
