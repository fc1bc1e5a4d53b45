"""Won and lost come from opportunities when they exist, for analytics and the model's training frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sources_world import write_csv
from sqlalchemy import Engine, select

from scoring.analytics.deals import account_outcomes, deal_table
from scoring.db.frames import read_opportunities
from scoring.db.models import Contact
from scoring.learn.targets import happened
from scoring.lifecycle.outcomes import contact_outcomes
from scoring.sources import import_files, profile_from_text
from scoring.training_data import database_leads

PROFILE = """\
name: crm_deals
files:
  contacts:
    optional: true
    templates: {contact.external_id: "crm:{contact}"}
    columns:
      company: account.name
      created: contact.created_at
  deals:
    optional: true
    templates:
      opportunity.external_id: "deal:{deal}"
      opportunity.contact: "crm:{contact}"
    columns:
      company: opportunity.account
      stage: {to: opportunity.status, values: {Won: won, Lost: lost, Open: open}, other: error}
      closed: opportunity.closed_at
      value: opportunity.amount
"""
EVENTS = pd.DataFrame({"contact_id": [], "to_stage": [], "occurred_at": []})


def _deals(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_an_account_with_two_won_and_one_lost_deal_counts_them_as_such() -> None:
    deals = _deals(
        account_id=[7, 7, 7, 8],
        primary_contact_id=[1, 2, None, 3],
        is_won=[True, True, False, False],
        is_closed=[True, True, True, False],
        closed_at=pd.to_datetime(["2024-03-01", "2024-04-01", "2024-02-01", None]),
        amount=[100.0, 50.0, 0.0, None],
    )
    table = account_outcomes(deals)
    assert table.loc[7, ["opportunities", "won", "lost", "open"]].tolist() == [3, 2, 1, 0]
    assert (table.loc[7, "won_amount"], table.loc[7, "outcome"]) == (150.0, "won")
    assert table.loc[7, "win_rate"] == 2 / 3
    assert (table.loc[8, "outcome"], pd.isna(table.loc[8, "win_rate"])) == ("open", True)


def test_a_contact_outcome_comes_from_its_deals_else_from_its_stage() -> None:
    deals = _deals(
        primary_contact_id=[1, 1, 2, 3],
        is_won=[False, True, False, False],
        is_closed=[True, True, True, False],
        closed_at=pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", None]),
    )
    events = pd.DataFrame(
        {
            "contact_id": [3, 4, 4],
            "to_stage": ["customer", "lead", "customer"],
            "occurred_at": pd.to_datetime(["2024-05-01", "2024-01-01", "2024-06-01"]),
        }
    )
    outcomes = contact_outcomes(events, deals)
    assert outcomes["outcome"].to_dict() == {1: "won", 2: "lost", 3: "open", 4: "won"}
    assert outcomes.loc[1, "won_at"] == pd.Timestamp("2024-02-01")
    assert outcomes.loc[4, "won_at"] == pd.Timestamp("2024-06-01")  # no deals: its stage decides
    assert outcomes.loc[2, "lost_at"] == pd.Timestamp("2024-03-01")


def test_deals_per_product_count_wins_and_losses() -> None:
    deals = _deals(
        product=["GTX Pro", "GTX Pro", "MG Special"],
        is_won=[True, False, False],
        is_closed=[True, True, False],
    )
    table = deal_table(deals, "product")
    assert table["won"].to_dict() == {"GTX Pro": 1, "MG Special": 0}
    assert table["outcome"].to_dict() == {"GTX Pro": "won", "MG Special": "open"}


def test_imported_deals_feed_the_account_analytics_and_the_training_frame(
    engine: Engine, tmp_path: Path
) -> None:
    profile = profile_from_text(PROFILE, "crm_deals.yaml")
    contacts = write_csv(
        tmp_path / "contacts.csv",
        ("contact", "company", "created"),
        [(name, "Initech", "2024-01-02") for name in ("ada", "bob", "cy", "dee")],
    )
    deals = write_csv(
        tmp_path / "deals.csv",
        ("deal", "contact", "company", "stage", "closed", "value"),
        [
            ("1", "ada", "Initech", "Won", "2024-02-01", "100"),
            ("2", "bob", "Initech", "Won", "2024-03-01", "50"),
            ("3", "cy", "Initech", "Lost", "2024-03-05", "0"),
        ],
    )
    import_files(engine, profile, [str(contacts), str(deals)])
    [account] = account_outcomes(read_opportunities(engine)).itertuples()
    assert (account.opportunities, account.won, account.lost, account.open) == (3, 2, 1, 0)
    with engine.connect() as connection:
        keys = dict(connection.execute(select(Contact.id, Contact.external_id)).all())
    leads = database_leads(engine)
    leads.index = leads["lead_id"].map(keys)
    won = pd.Series(happened(leads, "won_at"), index=leads.index)
    assert won.to_dict() == {"crm:ada": True, "crm:bob": True, "crm:cy": False, "crm:dee": False}
    assert leads.loc["crm:ada", "won_at"] == pd.Timestamp("2024-02-01")
