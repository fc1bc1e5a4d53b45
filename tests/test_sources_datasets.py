"""The two real data sets through their shipped profiles, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sources_world import OLIST_DEALS, OLIST_MQLS, UCI, snapshot
from sqlalchemy import Engine, func, select

from scoring.db.models import Contact, LifecycleEvent, Opportunity
from scoring.sources import import_files, load_profile

pytestmark = pytest.mark.slow


def _stages(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Contact.lifecycle_stage, func.count()).group_by(Contact.lifecycle_stage)
        ).all()
    return {stage: count for stage, count in rows}


def _contact(engine: Engine, external_id: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(Contact).where(Contact.external_id == external_id)).one()


def _won_opportunities(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Opportunity.external_id,
                Opportunity.account_id,
                Opportunity.primary_contact_id,
                Opportunity.closed_at,
            ).where(Opportunity.is_won, Opportunity.is_closed, Opportunity.stage == "closed_won")
        ).all()
    return [tuple(row) for row in rows]


def test_uci_imports_every_call_as_a_contact_with_its_outcome_and_history(engine: Engine) -> None:
    result = import_files(engine, load_profile("uci_bank_marketing"), [str(UCI)])
    assert result.written is not None
    assert (result.written.contacts, result.written.new_contacts, result.won) == (
        41188,
        41188,
        4640,
    )
    assert _stages(engine) == {"lead": 36548, "customer": 4640}
    won = _won_opportunities(engine)
    assert len(won) == 4640
    assert all(account is None and contact is not None for _, account, contact, _ in won)
    first = _contact(engine, "uci:1")
    assert first.lead_source == "telemarketing"
    assert first.attributes["age"] == 56
    assert first.attributes["duration"] == 261
    assert first.attributes["euribor3m"] == pytest.approx(4.857)
    assert "pdays" not in first.attributes  # 999 means "never contacted before"
    assert "credit_default" not in _contact(engine, "uci:2").attributes  # "unknown"
    with engine.connect() as connection:
        history = connection.execute(
            select(
                LifecycleEvent.from_stage,
                LifecycleEvent.to_stage,
                LifecycleEvent.actor,
                func.count(),
            ).group_by(LifecycleEvent.from_stage, LifecycleEvent.to_stage, LifecycleEvent.actor)
        ).all()
    # Every contact enters as a lead; a won call takes the contract's route to customer.
    actor = "import:uci_bank_marketing"
    assert {tuple(r) for r in history} == {
        (None, "lead", actor, 41188),
        ("lead", "mql", actor, 4640),
        ("mql", "sal", actor, 4640),
        ("sal", "sales_qualified", actor, 4640),
        ("sales_qualified", "opportunity", actor, 4640),
        ("opportunity", "customer", actor, 4640),
    }


def test_importing_uci_again_changes_nothing(engine: Engine) -> None:
    profile = load_profile("uci_bank_marketing")
    import_files(engine, profile, [str(UCI)])
    before = snapshot(engine)
    again = import_files(engine, profile, [str(UCI)])
    assert again.written is not None and again.written.new_contacts == 0
    assert again.written.lifecycle_events == 0
    assert snapshot(engine) == before


def test_olist_imports_8000_mqls_of_which_842_won(engine: Engine) -> None:
    result = import_files(
        engine, load_profile("olist_marketing_funnel"), [str(OLIST_MQLS), str(OLIST_DEALS)]
    )
    assert result.written is not None
    assert (result.written.contacts, result.won, result.written.opportunities) == (8000, 842, 842)
    assert _stages(engine) == {"mql": 7158, "customer": 842}
    won = _contact(engine, "olist:5420aad7fec3549a85876ba1c529bd84")
    assert won.lifecycle_stage == "customer"
    assert won.attributes["business_segment"] == "pet"
    assert won.lead_source == "organic_search"
    [opportunity] = [o for o in _won_opportunities(engine) if o[2] == won.id]
    assert opportunity[0] == "olist:5420aad7fec3549a85876ba1c529bd84:won"
    assert opportunity[3] == datetime(2018, 2, 26, 19, 58, 54)
    with engine.connect() as connection:
        unknown_origin = connection.scalar(
            select(func.count()).select_from(Contact).where(Contact.lead_source.is_(None))
        )
        event_time = connection.scalar(
            select(LifecycleEvent.occurred_at).where(
                LifecycleEvent.contact_id == won.id, LifecycleEvent.to_stage == "customer"
            )
        )
    assert unknown_origin == 1099 + 60  # "unknown" and blank origins
    assert event_time == datetime(2018, 2, 26, 19, 58, 54)


def test_olist_mqls_keep_their_first_contact_date(engine: Engine) -> None:
    import_files(
        engine, load_profile("olist_marketing_funnel"), [str(OLIST_MQLS), str(OLIST_DEALS)]
    )
    contact = _contact(engine, "olist:dac32acd4db4c29c230538b72f8dd87d")
    assert (contact.lifecycle_stage, contact.created_at) == ("mql", datetime(2018, 2, 1))
    assert contact.attributes == {"landing_page_id": "88740e65d5d6b056e0cda098e1ea6313"}


def test_importing_olist_again_changes_nothing(engine: Engine) -> None:
    profile = load_profile("olist_marketing_funnel")
    import_files(engine, profile, [str(OLIST_MQLS), str(OLIST_DEALS)])
    before = snapshot(engine)
    import_files(engine, profile, [f"deals={OLIST_DEALS}", f"mqls={OLIST_MQLS}"])
    assert snapshot(engine) == before
