"""A whole CRM pipeline export (accounts by name, products, sales teams, deals) through `sales_pipeline`."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from pipeline_world import DEALS, PipelineExport, pipeline_export
from sources_world import DATASETS, snapshot, write_csv
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scoring.cli import app
from scoring.db.models import Account, Opportunity, OpportunityStageChange, Product, Rep
from scoring.errors import ImportRejected
from scoring.sources import import_files, load_profile

runner = CliRunner()


@pytest.fixture
def export(tmp_path: Path) -> PipelineExport:
    return pipeline_export(tmp_path / "export")


def _import(engine: Engine, export: PipelineExport, report: bool = False):  # type: ignore[no-untyped-def]
    return import_files(engine, load_profile("sales_pipeline"), export.files, report=report)


def test_the_export_imports_with_exact_counts_per_table(
    engine: Engine, export: PipelineExport
) -> None:
    _import(engine, export)
    counts = {table: rows for table, (rows, _) in snapshot(engine).items() if rows}
    assert counts == {
        "accounts": 6,
        "products": 4,
        "reps": 5,
        "opportunities": 10,
        "opportunity_stage_changes": 10,
    }


def test_accounts_without_domains_are_known_by_name_and_link_their_parent(
    engine: Engine, export: PipelineExport
) -> None:
    _import(engine, export)
    with engine.connect() as connection:
        accounts = {a.name: a for a in connection.execute(select(Account)).all()}
    assert all(a.domain is None for a in accounts.values())
    assert accounts["Cancity"].parent_account_id == accounts["Bubba Gump"].id
    assert accounts["Kan-code"].parent_account_id == accounts["Acme Corporation"].id
    acme = accounts["Acme Corporation"]
    assert (acme.industry, acme.employees, acme.region, acme.country) == (
        "technology",
        2822,
        "United States",
        "US",
    )


def test_deals_keep_their_stage_meaning_owner_and_product_and_may_lack_an_account(
    engine: Engine, export: PipelineExport
) -> None:
    _import(engine, export)
    with engine.connect() as connection:
        deals = {o.external_id: o for o in connection.execute(select(Opportunity)).all()}
        reps = {r.id: r for r in connection.execute(select(Rep)).all()}
        accounts = {a.id: a.name for a in connection.execute(select(Account)).all()}
    won = deals["pipeline:Z063OYW0"]
    assert (won.stage, won.is_closed, won.is_won, won.amount, won.currency, won.product) == (
        "closed_won",
        True,
        True,
        Decimal("4514.00"),
        "USD",
        "GTXPro",
    )
    assert accounts[won.account_id] == "Acme Corporation"
    assert reps[won.owner_rep_id].name == "Darcel Schlecht"
    assert reps[won.owner_rep_id].office == "Central"
    assert reps[won.owner_rep_id].team == reps[won.owner_rep_id].manager == "Melvin Marxen"
    engaging = deals["pipeline:9ME3374G"]
    assert (engaging.stage, engaging.is_closed, engaging.closed_at) == ("engaging", False, None)
    early = deals["pipeline:OLK9LKZB"]
    assert (early.stage, early.account_id, early.engaged_at) == ("prospecting", None, None)
    lost = deals["pipeline:MV1LWRNH"]
    assert (lost.is_closed, lost.is_won) == (True, False)


def test_report_lists_the_product_spelled_two_ways_with_its_rows(
    engine: Engine, export: PipelineExport
) -> None:
    result = _import(engine, export, report=True)
    assert result.problems == () and result.written is None
    [product] = [d for d in result.likely_duplicates if d.field == "product"]
    spellings = {s.value: s.wheres for s in product.spellings}
    assert spellings == {
        "GTX Pro": (f"{export.products}:3:product", f"{export.sales_pipeline}:6:product"),
        "GTXPro": (f"{export.sales_pipeline}:3:product", f"{export.sales_pipeline}:9:product"),
    }
    assert snapshot(engine)["opportunities"][0] == 0


def test_the_report_command_prints_the_likely_duplicates(
    sqlite_url: str, export: PipelineExport
) -> None:
    result = runner.invoke(
        app, ["import", "sales_pipeline", *export.files, "--report", "--database", sqlite_url]
    )
    assert result.exit_code == 0, result.output
    assert "likely duplicates in product: 2 spellings" in result.stdout
    assert f"'GTXPro': 2 row(s): {export.sales_pipeline}:3:product" in result.stdout
    assert "no problems: 6 accounts, 10 opportunities, 5 reps, 4 products" in result.stdout


def test_a_second_import_of_the_same_files_changes_nothing(
    engine: Engine, export: PipelineExport
) -> None:
    _import(engine, export)
    before = snapshot(engine)
    _import(engine, export)
    assert snapshot(engine) == before


def test_a_deal_that_moves_is_updated_in_place_with_one_history_row(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, pipeline_export(tmp_path / "monday"))
    later = tuple(
        (*d[:4], "Won", d[5], "2017-04-02", "3000") if d[0] == "9ME3374G" else d for d in DEALS
    )
    _import(engine, pipeline_export(tmp_path / "friday", deals=later))
    with engine.connect() as connection:
        deal = connection.execute(
            select(Opportunity).where(Opportunity.external_id == "pipeline:9ME3374G")
        ).one()
        moves = connection.execute(
            select(OpportunityStageChange.from_stage, OpportunityStageChange.to_stage)
            .where(OpportunityStageChange.opportunity_id == deal.id)
            .order_by(OpportunityStageChange.id)
        ).all()
        count = len(connection.execute(select(Opportunity.id)).all())
    assert (deal.stage, deal.is_won, deal.amount) == ("closed_won", True, Decimal("3000.00"))
    assert [tuple(m) for m in moves] == [(None, "engaging"), ("engaging", "closed_won")]
    assert count == 10


def test_bad_cells_reject_the_whole_export_at_their_file_row_and_column(
    engine: Engine, tmp_path: Path
) -> None:
    deals = (
        *DEALS[:2],
        ("BADSTAGE", "Zane Levy", "GTX Basic", "Cancity", "Closed", "2016-10-25", "", ""),
        ("NOACCOUNT", "Zane Levy", "GTX Basic", "Initech", "Won", "2016-10-25", "2017-01-02", "9"),
        (
            "NOAGENT",
            "Nobody Known",
            "GTX Basic",
            "Cancity",
            "Lost",
            "2016-10-25",
            "2017-01-02",
            "0",
        ),
    )
    export = pipeline_export(tmp_path, deals=deals)
    with pytest.raises(ImportRejected) as caught:
        _import(engine, export)
    found = [str(p) for p in caught.value.problems]
    pipeline = export.sales_pipeline
    assert (
        f"{pipeline}:4:deal_stage: opportunity.stage: 'Closed' is not in the value map"
        in "\n".join(found)
    )
    assert (
        f"{pipeline}:5:account: opportunity.account: account 'Initech' is neither in this import "
        "nor in the database"
    ) in found
    assert (
        f"{pipeline}:6:sales_agent: opportunity.owner: no rep with this key is in this import or "
        "in the database"
    ) in found
    assert not any("Nobody" in problem for problem in found)  # a person's name is never echoed
    assert {t: n for t, (n, _) in snapshot(engine).items() if n} == {}


def test_products_are_upserted_by_name(engine: Engine, export: PipelineExport) -> None:
    _import(engine, export)
    with engine.connect() as connection:
        products = {p.name: p for p in connection.execute(select(Product)).all()}
    assert (products["GTX Pro"].series, products["GTX Pro"].list_price) == (
        "GTX",
        Decimal("4821.00"),
    )


def test_an_account_by_name_then_by_domain_is_one_account(engine: Engine, tmp_path: Path) -> None:
    _import(engine, pipeline_export(tmp_path / "pipeline"))
    accounts = write_csv(
        tmp_path / "accounts.csv", ("domain", "name"), [("acme.example", "Acme Corporation")]
    )
    import_files(engine, load_profile("canonical"), [f"accounts={accounts}"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(Account.domain).where(Account.name == "Acme Corporation")
        ).all()
    assert [r.domain for r in rows] == ["acme.example"]


DEALS_WITH_CONTACTS = """\
name: crm_deals
files:
  contacts:
    optional: true
    templates: {contact.external_id: "crm:{contact}"}
    columns: {company: account.name}
  deals:
    templates:
      opportunity.external_id: "deal:{deal}"
      opportunity.contact: "crm:{contact}"
    columns:
      company: opportunity.account
      stage:
        - opportunity.stage
        - {to: opportunity.status, values: {Won: won, Lost: lost, Open: open}, other: error}
      closed: opportunity.closed_at
"""


def test_a_won_deal_makes_its_contact_a_customer_through_the_contract(
    engine: Engine, tmp_path: Path
) -> None:
    from scoring.db.models import Contact, LifecycleEvent
    from scoring.sources import profile_from_text

    profile = profile_from_text(DEALS_WITH_CONTACTS, "crm_deals.yaml")
    people = write_csv(
        tmp_path / "contacts.csv",
        ("contact", "company"),
        [("ada", "Initech"), ("bob", "Initech"), ("cy", "Initech")],
    )
    header = ("deal", "contact", "company", "stage", "closed")
    first = [
        ("1", "ada", "Initech", "Won", "2024-03-01"),
        ("2", "ada", "Initech", "Lost", "2024-02-01"),
        ("3", "bob", "Initech", "Lost", "2024-02-01"),
        ("4", "cy", "Initech", "Open", ""),
    ]
    import_files(
        engine, profile, [str(people), str(write_csv(tmp_path / "deals.csv", header, first))]
    )
    closed = [*first[:3], ("4", "cy", "Initech", "Won", "2024-05-01")]
    (tmp_path / "later").mkdir()
    deals = write_csv(tmp_path / "later" / "deals.csv", header, closed)
    import_files(engine, profile, [f"deals={deals}"])  # cy is stored, named only by its deal
    with engine.connect() as connection:
        stages = dict(
            connection.execute(select(Contact.external_id, Contact.lifecycle_stage)).all()
        )
        ids = dict(connection.execute(select(Contact.external_id, Contact.id)).all())
        routes = {
            key: connection.execute(
                select(LifecycleEvent.to_stage)
                .where(LifecycleEvent.contact_id == ids[key])
                .order_by(LifecycleEvent.id)
            )
            .scalars()
            .all()
            for key in ("crm:ada", "crm:cy")
        }
        owners = connection.execute(select(Opportunity.primary_contact_id)).scalars().all()
        [account] = connection.execute(select(Account)).all()
    assert stages == {"crm:ada": "customer", "crm:bob": "lead", "crm:cy": "customer"}
    route = ["lead", "mql", "sal", "sales_qualified", "opportunity", "customer"]
    assert routes == {"crm:ada": route, "crm:cy": route}
    assert None not in owners and account.name == "Initech"
    again = snapshot(engine)
    import_files(engine, profile, [f"deals={deals}"])
    assert snapshot(engine) == again


CRM_SALES = DATASETS / "crm_sales_opportunities"
CRM_FILES = ("accounts", "products", "sales_teams", "sales_pipeline")


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.mark.skipif(
    not all((CRM_SALES / f"{name}.csv").is_file() for name in CRM_FILES),
    reason=f"no real CRM pipeline export in {CRM_SALES} (not in ../shared/datasets/README.md)",
)
def test_the_real_crm_sales_opportunities_export_imports_once(sqlite_engine: Engine) -> None:
    files = [str(CRM_SALES / f"{name}.csv") for name in CRM_FILES]
    profile = load_profile("sales_pipeline")
    report = import_files(sqlite_engine, profile, files, report=True)
    assert report.problems == (), [str(p) for p in report.problems[:5]]
    result = import_files(sqlite_engine, profile, files)
    assert result.written is not None
    written = (result.written.accounts, result.written.products, result.written.reps)
    assert written == tuple(_data_rows(CRM_SALES / f"{n}.csv") for n in CRM_FILES[:3])
    assert result.written.opportunities == _data_rows(CRM_SALES / "sales_pipeline.csv")
    before = snapshot(sqlite_engine)
    import_files(sqlite_engine, profile, files)
    assert snapshot(sqlite_engine) == before


TWO_SOURCES = """\
name: two_sources
files:
  websites:
    optional: true
    columns: {site: account.domain, company: account.name}
  names:
    optional: true
    columns: {company: account.name, sector: account.industry}
"""


def test_an_account_found_by_name_keeps_the_domain_it_has(engine: Engine, tmp_path: Path) -> None:
    from scoring.sources import profile_from_text

    profile = profile_from_text(TWO_SOURCES, "two_sources.yaml")
    first = write_csv(tmp_path / "websites.csv", ("site", "company"), [("acme.example", "Acme")])
    import_files(engine, profile, [f"websites={first}"])
    (tmp_path / "later").mkdir()
    sites = write_csv(
        tmp_path / "later" / "websites.csv", ("site", "company"), [("b.example", "B")]
    )
    names = write_csv(tmp_path / "later" / "names.csv", ("company", "sector"), [("Acme", "retail")])
    import_files(engine, profile, [f"websites={sites}", f"names={names}"])
    with engine.connect() as connection:
        rows = connection.execute(select(Account.name, Account.domain, Account.industry)).all()
    assert sorted(tuple(r) for r in rows) == [
        ("Acme", "acme.example", "retail"),
        ("B", "b.example", None),
    ]


def test_a_name_that_matches_two_stored_accounts_is_refused_at_its_cell(
    engine: Engine, tmp_path: Path
) -> None:
    from scoring.sources import profile_from_text

    profile = profile_from_text(TWO_SOURCES, "two_sources.yaml")
    sites = write_csv(
        tmp_path / "websites.csv",
        ("site", "company"),
        [("acme.example", "Acme"), ("acme.test", "Acme")],
    )
    import_files(engine, profile, [f"websites={sites}"])
    names = write_csv(tmp_path / "names.csv", ("company", "sector"), [("Acme", "retail")])
    with pytest.raises(ImportRejected) as caught:
        import_files(engine, profile, [f"names={names}"])
    assert [str(p) for p in caught.value.problems] == [
        f"{names}:2:company: account.name: 'Acme' matches 2 stored accounts; "
        "give its domain or external id"
    ]
