"""data/crm_values.yaml: CRM-native values checked against the contract and the reasons vocabulary,
every problem at once with its line; the Salesforce import profile agrees with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_world import SALESFORCE_HEADER, SALESFORCE_ROWS, write_csv
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scoring.api.schemas.feedback import OUTCOME_STAGES, REASON_REQUIRED
from scoring.cli import app
from scoring.db.models import Contact, LifecycleEvent
from scoring.errors import ContractError
from scoring.lifecycle import load_contract
from scoring.lifecycle.crm_values import (
    FEEDBACK_STAGES,
    REASON_STAGES,
    CrmValue,
    load_crm_values,
    parse_crm_values,
)
from scoring.reasons import load_reasons
from scoring.sources import import_files, load_profile

VOCABULARY = load_reasons()
CONTRACT = load_contract(vocabulary=VOCABULARY)

BROKEN = """\
hubspot:
  reason_property: smarketing_disqualification_reason
  colour: blue
  properties:
    hs_lead_status:
      OPEN: accepted_by_sales
      UNQUALIFIED: {stage: disqualified, reason: too_pricey}
      BAD_TIMING: {stage: nurture, reason: spam}
      NEW: {stage: mql}
      CONNECTED: {stage: sal, reason: no_budget}
  reasons:
    PRICE: expensive
salesforce:
  properties:
    Status:
      Open - Not Contacted: [lead]
"""


def test_the_shipped_file_is_valid_and_maps_every_native_value() -> None:
    values = load_crm_values()
    hubspot = values.crm("hubspot")
    assert values.version
    assert set(hubspot.properties["hs_lead_status"]) == {
        "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
        "CONNECTED", "BAD_TIMING",
    }  # fmt: skip
    assert set(hubspot.properties["lifecyclestage"]) == {
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
        "customer", "evangelist", "other",
    }  # fmt: skip
    assert hubspot.meaning("hs_lead_status", "UNQUALIFIED") == CrmValue("disqualified")
    assert values.crm("salesforce").meaning("Status", "Unqualified") == CrmValue("disqualified")
    assert values.crm("pipedrive").meaning("status", "lost") is None  # no section: nothing mapped


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    with pytest.raises(ContractError) as caught:
        parse_crm_values(BROKEN, CONTRACT, VOCABULARY, source="crm.yaml")
    found = [str(p) for p in caught.value.problems]
    assert found[0] == "crm.yaml:1: a 'version' is required (it is stamped on what it maps)"
    expected = [
        ("crm.yaml:3:", "unknown key 'colour'"),
        ("crm.yaml:6:", "unknown stage 'accepted_by_sales'"),
        ("crm.yaml:7:", "unknown reason code 'too_pricey' (valid: bad_timing, competitor"),
        ("crm.yaml:8:", "retired reason code 'spam'"),
        ("crm.yaml:9:", "a CRM's verdict cannot move a lead to mql"),
        ("crm.yaml:10:", "a move to sal takes no reason"),
        ("crm.yaml:12:", "unknown reason code 'expensive'"),
        ("crm.yaml:16:", "expected a stage, ~, or {stage: ..., reason: ...}"),
    ]
    for where, words in expected:
        assert any(p.startswith(where) and words in p for p in found), (where, words, found)
    assert len(found) == len(expected) + 1


def test_the_stage_lists_match_the_feedback_outcomes() -> None:
    assert set(OUTCOME_STAGES.values()) == FEEDBACK_STAGES
    assert {OUTCOME_STAGES[o] for o in REASON_REQUIRED} == REASON_STAGES


def test_the_salesforce_profile_agrees_with_the_crm_values_file() -> None:
    salesforce = load_crm_values().crm("salesforce")
    columns = load_profile("salesforce_leads").files["leads"].columns
    [status] = columns["Lead Status"]
    [reason] = columns[str(salesforce.reason_field)]
    assert status.values == {v: m.stage for v, m in salesforce.properties["Status"].items()}
    assert salesforce.reasons.items() <= (reason.values or {}).items()


def test_an_unqualified_salesforce_lead_imports_disqualified_citing_its_reason(
    engine: Engine, tmp_path: Path
) -> None:
    row = list(SALESFORCE_ROWS[0])
    row[SALESFORCE_HEADER.index("Lead Status")] = "Unqualified"
    row[SALESFORCE_HEADER.index("Disqualification Reason")] = "Competitor"
    leads = write_csv(tmp_path / "leads.csv", SALESFORCE_HEADER, [row])
    import_files(engine, load_profile("salesforce_leads"), [str(leads)])
    with engine.connect() as connection:
        stage = connection.scalar(select(Contact.lifecycle_stage))
        last = connection.execute(
            select(LifecycleEvent.to_stage, LifecycleEvent.reason_code).order_by(
                LifecycleEvent.id.desc()
            )
        ).first()
    assert (stage, tuple(last or ())) == ("disqualified", ("disqualified", "competitor"))


def test_check_values_names_every_problem_and_exits_1(tmp_path: Path) -> None:
    runner = CliRunner()
    shipped = runner.invoke(app, ["feedback", "check-values"])
    assert shipped.exit_code == 0, shipped.output
    assert "are valid" in shipped.output
    bad = tmp_path / "crm.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(app, ["feedback", "check-values", str(bad)])
    assert result.exit_code == 1
    assert "unknown stage 'accepted_by_sales'" in result.output
    assert "retired reason code 'spam'" in result.output
