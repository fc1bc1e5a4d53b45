"""Assignment reads the imported roster: MQLs of each office's accounts go to that office's reps."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pipeline_world import pipeline_export
from sources_world import write_csv
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db import make_engine, upgrade
from scoring.db.models import Account, Contact, Rep
from scoring.handoff.assignment import AssignmentRules, Territory, assign
from scoring.handoff.roster import roster
from scoring.sources import import_files, load_profile, profile_from_text

MONDAY = datetime(2026, 11, 23, 9, 0)
CAPACITY = {
    "Moses Frase": 1,
    "Darcel Schlecht": 2,
    "Zane Levy": 1,
    "Maureen Marcano": 1,
    "Versie Hillebrand": 1,
}
RULES = AssignmentRules(
    version="offices",
    territories=[
        Territory(name="americas", when={"region": ["United States"]}, office="Central"),
        Territory(name="africa", when={"region": ["Kenya"]}, office="East"),
        Territory(name="asia", when={"region": ["Japan"]}, office="West"),
    ],
)
LEADS = """\
name: crm_leads
files:
  leads:
    templates: {contact.external_id: "lead:{id}"}
    columns: {company: account.name}
"""
MQLS = (
    ("1", "Acme Corporation"),
    ("2", "Bubba Gump"),
    ("3", "Cancity"),
    ("4", "Acme Corporation"),
    ("5", "Betasoloin"),
    ("6", "Kan-code"),
    ("7", "Dambase"),
)


@pytest.fixture
def roster_world(engine: Engine, tmp_path: Path) -> Engine:
    export = pipeline_export(tmp_path / "export", capacities=CAPACITY)
    import_files(engine, load_profile("sales_pipeline"), export.files)
    leads = write_csv(tmp_path / "leads.csv", ("id", "company"), MQLS)
    import_files(engine, profile_from_text(LEADS, "crm_leads.yaml"), [str(leads)])
    return engine


def _assign_all(engine: Engine) -> dict[str, str | None]:
    """Each lead's assigned rep (None: nobody in its office had capacity left)."""
    given: dict[str, str | None] = {}
    with Session(engine) as session, session.begin():
        for contact in session.scalars(select(Contact).order_by(Contact.id)):
            decision = assign(session, RULES, contact, MONDAY)
            given[contact.external_id] = None if decision is None else decision.rep.name
    return given


def test_mqls_go_to_their_office_reps_within_capacity(roster_world: Engine) -> None:
    given = _assign_all(roster_world)
    central = {"Moses Frase", "Darcel Schlecht"}
    assert {given[f"lead:{n}"] for n in "123"} <= central
    assert given["lead:4"] is None  # Central takes 1 + 2 a week: the fourth waits
    assert (given["lead:5"], given["lead:6"]) == ("Versie Hillebrand", None)
    assert given["lead:7"] in {"Zane Levy", "Maureen Marcano"}
    counts = {name: list(given.values()).count(name) for name in CAPACITY}
    assert all(counts[name] <= CAPACITY[name] for name in CAPACITY)


def test_an_inactive_rep_gets_nothing_and_an_account_owner_comes_first(
    roster_world: Engine,
) -> None:
    with roster_world.begin() as connection:
        connection.execute(update(Rep).where(Rep.name == "Versie Hillebrand").values(active=False))
        zane = connection.execute(select(Rep.id).where(Rep.name == "Zane Levy")).scalar_one()
        connection.execute(
            update(Account).where(Account.name == "Acme Corporation").values(owner_rep_id=zane)
        )
    given = _assign_all(roster_world)
    assert (given["lead:5"], given["lead:6"]) == (None, None)
    assert given["lead:1"] == given["lead:4"] == "Zane Levy"  # owner first, whatever the office


def test_the_roster_lists_team_office_open_mqls_and_capacity(roster_world: Engine) -> None:
    with Session(roster_world) as session, session.begin():
        for contact in session.scalars(select(Contact).order_by(Contact.id)):
            if assign(session, RULES, contact, MONDAY) is not None:
                contact.lifecycle_stage = "mql"
    reps = roster(roster_world, now=MONDAY).set_index("name")
    assert reps.loc["Darcel Schlecht", ["team", "office", "weekly_capacity"]].tolist() == [
        "Melvin Marxen",
        "Central",
        2,
    ]
    assert reps["open_mqls"].sum() == reps["assigned_this_week"].sum() == 5
    assert roster(roster_world, now=MONDAY, office="West")["name"].tolist() == [
        "Maureen Marcano",
        "Zane Levy",
    ]


def test_the_reps_command_prints_the_roster(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    export = pipeline_export(tmp_path / "export", capacities=CAPACITY)
    import_files(engine, load_profile("sales_pipeline"), export.files)
    engine.dispose()
    result = CliRunner().invoke(app, ["reps", "--office", "Central", "--database", url])
    assert result.exit_code == 0, result.output
    assert "2 reps" in result.stdout and "Darcel Schlecht" in result.stdout
    assert "Zane" not in result.stdout
    listed = CliRunner().invoke(app, ["reps", "--json", "--office", "West", "--database", url])
    rows = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
    assert [(r["rep"], r["office"], r["weekly_capacity"], r["open_mqls"]) for r in rows] == [
        ("pipeline:Maureen Marcano", "West", 1, 0),
        ("pipeline:Zane Levy", "West", 1, 0),
    ]
