"""The HubSpot contacts and Salesforce leads profiles on small exports in their standard columns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sources_world import (
    HUBSPOT_HEADER,
    HUBSPOT_ROWS,
    SALESFORCE_HEADER,
    SALESFORCE_ROWS,
    write_csv,
)
from sqlalchemy import Engine, select

from scoring.db.models import Account, Contact
from scoring.errors import ImportRejected
from scoring.sources import import_files, load_profile


def _contacts(engine: Engine) -> dict[str, Contact]:
    with engine.connect() as connection:
        return {c.external_id: c for c in connection.execute(select(Contact)).all()}  # type: ignore[misc]


def _accounts(engine: Engine) -> dict[str, Account]:
    with engine.connect() as connection:
        return {a.domain: a for a in connection.execute(select(Account)).all()}  # type: ignore[misc]


@pytest.fixture
def hubspot(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "hubspot-crm-exports-all-contacts.csv", HUBSPOT_HEADER, HUBSPOT_ROWS
    )


@pytest.fixture
def salesforce(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "report1700000000000.csv", SALESFORCE_HEADER, SALESFORCE_ROWS)


def test_hubspot_contacts_land_with_their_fields(engine: Engine, hubspot: Path) -> None:
    import_files(engine, load_profile("hubspot_contacts"), [str(hubspot)])
    contacts = _contacts(engine)
    assert sorted(contacts) == ["hubspot:5101", "hubspot:5102", "hubspot:5103"]
    ada = contacts["hubspot:5101"]
    assert (ada.email, ada.first_name, ada.job_title, ada.phone) == (
        "ada@analytical.io",
        "Ada",
        "CTO",
        "+44 20 7946 0958",
    )
    assert (ada.country, ada.lifecycle_stage, ada.lead_source) == ("GB", "mql", "organic_search")
    assert ada.created_at == datetime(2024, 3, 5, 14, 22)
    assert ada.attributes == {
        "company": "Analytical Engines",
        "employees_band": "25-50",
        "lead_status": "Open",
        "owner": "Grace Hopper",
    }
    assert contacts["hubspot:5102"].lifecycle_stage == "customer"
    assert contacts["hubspot:5103"].email is None


def test_hubspot_companies_with_a_website_become_linked_accounts(
    engine: Engine, hubspot: Path
) -> None:
    import_files(engine, load_profile("hubspot_contacts"), [str(hubspot)])
    accounts, contacts = _accounts(engine), _contacts(engine)
    assert sorted(accounts) == ["analytical.io", "calc.fr"]
    analytical = accounts["analytical.io"]
    assert (analytical.name, analytical.industry) == ("Analytical Engines", "Software")
    assert analytical.annual_revenue == Decimal("2500000.00")
    assert contacts["hubspot:5101"].account_id == analytical.id
    assert contacts["hubspot:5103"].account_id is None  # no website: no account


def test_hubspot_lifecycle_stage_outside_the_map_is_rejected(
    engine: Engine, tmp_path: Path
) -> None:
    row = list(HUBSPOT_ROWS[0])
    row[HUBSPOT_HEADER.index("Lifecycle Stage")] = "Hot Lead"
    export = write_csv(tmp_path / "contacts.csv", HUBSPOT_HEADER, [row])
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, load_profile("hubspot_contacts"), [str(export)])
    [problem] = caught.value.problems
    assert problem.where == f"{export}:2:Lifecycle Stage"
    assert problem.message.startswith("contact.lifecycle_stage: 'Hot Lead' is not in the value map")


def test_hubspot_unknown_country_name_names_its_cell(engine: Engine, tmp_path: Path) -> None:
    row = list(HUBSPOT_ROWS[0])
    row[HUBSPOT_HEADER.index("Country/Region")] = "Atlantis"
    export = write_csv(tmp_path / "contacts.csv", HUBSPOT_HEADER, [row])
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, load_profile("hubspot_contacts"), [str(export)])
    assert [str(p) for p in caught.value.problems] == [
        f"{export}:2:Country/Region: contact.country: 'Atlantis' is not a 2-letter country code "
        "(map names to codes with `values:`)"
    ]


def test_an_export_with_only_the_required_column_imports(engine: Engine, tmp_path: Path) -> None:
    export = write_csv(tmp_path / "contacts.csv", ("Record ID",), [("1",), ("2",)])
    result = import_files(engine, load_profile("hubspot_contacts"), [str(export)])
    assert result.written is not None and result.written.contacts == 2
    assert {c.lifecycle_stage for c in _contacts(engine).values()} == {"lead"}


def test_salesforce_leads_land_with_stage_reason_and_account(
    engine: Engine, salesforce: Path
) -> None:
    import_files(engine, load_profile("salesforce_leads"), [str(salesforce)])
    contacts, accounts = _contacts(engine), _accounts(engine)
    marie = contacts["salesforce:00Q5g00000AbCdE"]
    assert (marie.lifecycle_stage, marie.country, marie.lead_source) == ("sal", "US", "Web")
    assert marie.created_at == datetime(2024, 3, 5)
    assert marie.attributes == {"company": "Radium Labs", "rating": "Hot"}
    assert contacts["salesforce:00Q5g00000AbCdF"].lifecycle_stage == "disqualified"
    assert contacts["salesforce:00Q5g00000AbCdG"].account_id is None
    radium = accounts["radium-labs.com"]
    assert (radium.name, radium.employees, radium.annual_revenue) == (
        "Radium Labs",
        1200,
        Decimal("4000000.00"),
    )
    assert marie.account_id == contacts["salesforce:00Q5g00000AbCdF"].account_id == radium.id


def test_salesforce_report_without_a_status_column_is_rejected_at_the_header(
    engine: Engine, tmp_path: Path
) -> None:
    header = tuple(h for h in SALESFORCE_HEADER if h != "Lead Status")
    rows = [
        tuple(v for h, v in zip(SALESFORCE_HEADER, r, strict=True) if h != "Lead Status")
        for r in SALESFORCE_ROWS
    ]
    report = write_csv(tmp_path / "report.csv", header, rows)
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, load_profile("salesforce_leads"), [str(report)])
    assert [str(p) for p in caught.value.problems] == [
        f"{report}:1: column 'Lead Status' is missing (the file has 'Lead Source')"
    ]


def test_salesforce_numbers_with_separators_that_do_not_parse_name_their_cell(
    engine: Engine, tmp_path: Path
) -> None:
    row = list(SALESFORCE_ROWS[0])
    row[SALESFORCE_HEADER.index("No. of Employees")] = "about 50"
    report = write_csv(tmp_path / "report.csv", SALESFORCE_HEADER, [row])
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, load_profile("salesforce_leads"), [str(report)])
    assert [str(p) for p in caught.value.problems] == [
        f"{report}:2:No. of Employees: account.employees: 'about 50' is not a number"
    ]
