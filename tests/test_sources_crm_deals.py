"""The HubSpot deals and Salesforce opportunities profiles: deals, stages, owners, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_world import snapshot
from sqlalchemy import Engine, text

from scoring.errors import ImportRejected
from scoring.sources import import_files, load_profile

HUBSPOT_USERS = "First Name,Last Name,Email,Team\nAna,Diaz,ana@example.com,East\nBo,Li,,West\n"
HUBSPOT_DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner,Associated Company\n"
    '1,Big,Closed Won,"$1,200",2026-01-05,2026-02-01,Ana Diaz,\n'
    "2,Small,Contract Sent,300,2026-01-07,,Bo Li,\n"
    "3,Lost one,Closed Lost,,2026-01-09,2026-03-01,,\n"
)
SALESFORCE_USERS = (
    "Id,Name,Email,Department,Division,IsActive\n005A,Ana Diaz,ana@example.com,Sales,EMEA,true\n"
)
SALESFORCE_OPPORTUNITIES = (
    "Id,Name,StageName,Amount,CurrencyIsoCode,CreatedDate,CloseDate,Account.Name,OwnerId,Type\n"
    "006A,Deal,Closed Won,1000,EUR,2026-01-01,2026-02-01,,005A,New Business\n"
    "006B,Deal2,Negotiation/Review,50,EUR,2026-01-03,,,005A,\n"
)
DEALS = (
    "select o.external_id, o.stage, o.is_won, o.is_closed, o.amount, r.name from opportunities o "
    "left join reps r on r.id = o.owner_rep_id order by o.external_id"
)


def _files(folder: Path, **contents: str) -> list[str]:
    named = []
    for name, body in contents.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
        named.append(f"{name}={folder / f'{name}.csv'}")
    return named


def _deals(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(DEALS))]


def test_hubspot_deals_with_their_owners_import_once(engine: Engine, tmp_path: Path) -> None:
    files = _files(tmp_path, owners=HUBSPOT_USERS, deals=HUBSPOT_DEALS)
    result = import_files(engine, load_profile("hubspot_deals"), files)
    assert result.written is not None
    deals = _deals(engine)
    assert [(d[0], d[1], bool(d[2]), bool(d[3]), d[5]) for d in deals] == [
        ("hubspot-deal:1", "closed_won", True, True, "Ana Diaz"),
        ("hubspot-deal:2", "contract_sent", False, False, "Bo Li"),
        ("hubspot-deal:3", "closed_lost", False, True, None),  # no owner in the file
    ]
    assert float(deals[0][4]) == 1200.0  # "$1,200"
    before = snapshot(engine)
    import_files(engine, load_profile("hubspot_deals"), files)
    assert snapshot(engine) == before


def test_salesforce_opportunities_with_their_users_import(engine: Engine, tmp_path: Path) -> None:
    files = _files(tmp_path, users=SALESFORCE_USERS, opportunities=SALESFORCE_OPPORTUNITIES)
    import_files(engine, load_profile("salesforce_opportunities"), files)
    deals = _deals(engine)
    assert [(d[0], d[1], bool(d[2]), d[5]) for d in deals] == [
        ("salesforce:006A", "closed_won", True, "Ana Diaz"),
        ("salesforce:006B", "negotiation", False, "Ana Diaz"),
    ]
    with engine.connect() as connection:
        office = connection.execute(text("select office, team from reps")).one()
        currency = connection.execute(text("select distinct currency from opportunities")).one()
    assert tuple(office) == ("EMEA", "Sales") and currency[0] == "EUR"


def test_a_stage_outside_the_pipeline_rejects_the_file_at_its_cell(
    engine: Engine, tmp_path: Path
) -> None:
    custom = HUBSPOT_DEALS.replace("Contract Sent", "Verbal Yes")
    files = _files(tmp_path, deals=custom)
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as refused:
        import_files(engine, load_profile("hubspot_deals"), files)
    assert "deals.csv:3:Deal Stage" in str(refused.value)
    assert snapshot(engine) == before
