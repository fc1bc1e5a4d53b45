"""`via` paths: a CRM's jump (mql -> sales_qualified) walks through sal, one history row and guards a step."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from test_lifecycle_apply import add_contact, database, move, snapshot, vocabulary  # noqa: F401

from scoring.db.models import LifecycleEvent
from scoring.errors import ContractError, TransitionNotAllowed
from scoring.lifecycle import Contract, load_contract, parse_contract
from scoring.lifecycle.contract import DEFAULT_CONTRACT
from scoring.reasons import Vocabulary


@pytest.fixture
def contract(vocabulary: Vocabulary) -> Contract:  # noqa: F811
    return load_contract(vocabulary=vocabulary)


def test_the_shipped_contract_declares_the_mql_to_sales_qualified_path(contract: Contract) -> None:
    walk = contract.path("mql", "sales_qualified")
    assert walk is not None and walk.steps == (("mql", "sal"), ("sal", "sales_qualified"))
    assert contract.transition("mql", "sales_qualified") is None  # still no direct move


def test_a_jump_walks_every_step_with_its_own_history_row(
    database: Engine,  # noqa: F811
    contract: Contract,
    vocabulary: Vocabulary,  # noqa: F811
) -> None:
    lead = add_contact(database, "mql", owner_rep_id=1)
    event = move(database, contract, vocabulary, lead, "sales_qualified")
    assert event.to_stage == "sales_qualified"
    with database.connect() as connection:
        rows = connection.execute(
            select(LifecycleEvent.from_stage, LifecycleEvent.to_stage)
            .where(LifecycleEvent.contact_id == lead)
            .order_by(LifecycleEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [("mql", "sal"), ("sal", "sales_qualified")]


def test_a_step_whose_guard_fails_refuses_the_whole_jump(
    database: Engine,  # noqa: F811
    contract: Contract,
    vocabulary: Vocabulary,  # noqa: F811
) -> None:
    lead = add_contact(database, "mql")  # no owner: mql -> sal needs one
    before = snapshot(database)
    with pytest.raises(TransitionNotAllowed, match=r"mql -> sal not allowed: .*owner"):
        move(database, contract, vocabulary, lead, "sales_qualified")
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ("  - {from: mql, to: customer, via: [sal]}\n", "step sal -> customer is not a declared"),
        ("  - {from: mql, to: sal, via: [lead]}\n", "mql -> sal is a declared transition"),
        ("  - {from: mql, to: sales_qualified, via: [limbo]}\n", "unknown stage 'limbo'"),
        ("  - {from: mql, to: sales_qualified, via: []}\n", "'via' must list one stage or more"),
        ("  - {from: mql, to: sales_qualified, via: [sal], why: x}\n", "unknown key 'why'"),
    ],
)
def test_the_loader_refuses_a_path_the_transitions_do_not_allow(paths: str, message: str) -> None:
    text = DEFAULT_CONTRACT.read_text(encoding="utf-8").split("\npaths:")[0]
    with pytest.raises(ContractError, match=message) as refused:
        parse_contract(text + "\npaths:\n" + paths, "lifecycle.yaml")
    assert "lifecycle.yaml:" in str(refused.value)  # with its line
