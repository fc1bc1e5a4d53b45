"""apply_transition: every guard passes and refuses; a refusal writes nothing; a move writes one row."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from scoring.db import transaction
from scoring.db.models import Account, Contact, LifecycleEvent, Rep
from scoring.errors import ConfigError, TransitionNotAllowed
from scoring.lifecycle import Contract, check_reason, load_contract
from scoring.reasons import Vocabulary, load_reasons
from scoring.store.lifecycle import apply_transition
from scoring.store.reasons import sync_reasons

CREATED = datetime(2026, 1, 5, 9, 0)
MOVED = datetime(2026, 1, 6, 10, 30)
HOT = {"score": 72, "threshold": 60, "failed_gates": []}


@pytest.fixture
def vocabulary() -> Vocabulary:
    return load_reasons()


@pytest.fixture
def contract(vocabulary: Vocabulary) -> Contract:
    return load_contract(vocabulary=vocabulary)


@pytest.fixture
def database(engine: Engine, vocabulary: Vocabulary) -> Engine:
    """A migrated database (each backend) with the vocabulary synced, one rep and one account."""
    with engine.begin() as connection:
        sync_reasons(connection, vocabulary)
        connection.execute(
            insert(Rep).values(id=1, email="rep@example.com", name="R", team="T", territory="EU")
        )
        connection.execute(insert(Account).values(id=1, name="Acme", domain="acme.example"))
    return engine


def add_contact(engine: Engine, stage: str, **overrides: Any) -> int:
    values = {
        "external_id": f"c-{stage}-{len(overrides)}",
        "lifecycle_stage": stage,
        "created_at": CREATED,
        "updated_at": CREATED,
        **overrides,
    }
    with engine.begin() as connection:
        return int(connection.execute(insert(Contact).values(**values)).inserted_primary_key[0])


def snapshot(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Every contact and every history row, to prove that a refusal changed nothing."""
    with engine.connect() as connection:
        contacts = list(connection.execute(select(Contact.__table__).order_by(Contact.id)))
        history = list(connection.execute(select(LifecycleEvent.__table__)))
    return contacts, history


def move(
    engine: Engine, contract: Contract, vocabulary: Vocabulary, contact_id: int, to: str, **kw: Any
) -> LifecycleEvent:
    with transaction(engine) as session:
        return apply_transition(
            session, contact_id, to, contract=contract, vocabulary=vocabulary, actor="test", **kw
        )


GUARDS = [
    pytest.param("subscriber", "lead", {"account_id": 1}, {}, None, id="company_known-passes"),
    pytest.param(
        "subscriber", "lead", {}, {}, "guard company_known: account_id is not set",
        id="company_known-refuses",
    ),
    pytest.param("lead", "mql", {}, {"facts": HOT}, None, id="threshold-and-gates-pass"),
    pytest.param(
        "lead", "mql", {}, {"facts": {**HOT, "score": 59.5}},
        "guard score_reaches_threshold: score 59.5 is below threshold (60)",
        id="score_reaches_threshold-refuses",
    ),
    pytest.param(
        "lead", "mql", {}, {"facts": {**HOT, "failed_gates": ["email_valid", "company_known"]}},
        "guard quality_gates_pass: failed_gates is not empty: email_valid, company_known",
        id="quality_gates_pass-refuses",
    ),
    pytest.param(
        "lead", "mql", {}, {"facts": {"score": 72}},
        "guard score_reaches_threshold: threshold not supplied",
        id="facts-not-supplied",
    ),
    pytest.param(
        "nurture", "mql", {}, {"facts": {**HOT, "score": 10}},
        "guard score_reaches_threshold: score 10 is below threshold (60)",
        id="recycled-contact-needs-the-threshold-again",
    ),
    pytest.param("mql", "sal", {"owner_rep_id": 1}, {}, None, id="owner_assigned-passes"),
    pytest.param(
        "mql", "sal", {}, {}, "guard owner_assigned: owner_rep_id is not set",
        id="owner_assigned-refuses",
    ),
    pytest.param("sal", "nurture", {}, {"reason_code": "bad_timing"}, None, id="recycle-passes"),
    pytest.param(
        "sal", "nurture", {}, {}, "guard reason_from_vocabulary: a reason code is required",
        id="recycle-without-reason-refuses",
    ),
    pytest.param("sal", "sales_qualified", {}, {}, None, id="unguarded-move"),
    pytest.param(
        "lead", "customer", {}, {},
        "the contract has no transition lead -> customer (allowed: mql, disqualified)",
        id="undeclared-transition",
    ),
    pytest.param("customer", "nurture", {}, {}, "allowed: none", id="terminal-stage"),
    pytest.param("lead", "lead", {}, {}, "no transition lead -> lead", id="same-stage"),
    pytest.param("lead", "hot", {}, {}, "unknown stage 'hot'", id="unknown-stage"),
    pytest.param(
        "mql", "sal", {"owner_rep_id": 1}, {"reason_code": "spam"},
        "reason code 'spam' is retired (inactive)",
        id="any-cited-reason-must-be-active",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("start", "to", "contact", "kwargs", "refusal"), GUARDS)
def test_guards(
    database: Engine,
    contract: Contract,
    vocabulary: Vocabulary,
    start: str,
    to: str,
    contact: dict[str, Any],
    kwargs: dict[str, Any],
    refusal: str | None,
) -> None:
    contact_id = add_contact(database, start, **contact)
    if refusal is None:
        event = move(database, contract, vocabulary, contact_id, to, **kwargs)
        assert (event.from_stage, event.to_stage) == (start, to)
        return
    before = snapshot(database)
    with pytest.raises(TransitionNotAllowed) as refused:
        move(database, contract, vocabulary, contact_id, to, **kwargs)
    assert refusal in refused.value.missing
    assert (refused.value.contact_id, refused.value.from_stage) == (contact_id, start)
    assert refused.value.to_stage == to
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("reason", "refusal"),
    [
        (None, "a reason code is required"),
        ("", "a reason code is required"),
        ("bad_karma", "unknown reason code 'bad_karma'"),
        ("spam", "reason code 'spam' is retired (inactive)"),
    ],
)
def test_disqualifying_without_an_active_reason_is_refused_and_changes_no_row(
    database: Engine, contract: Contract, vocabulary: Vocabulary, reason: str | None, refusal: str
) -> None:
    contact_id = add_contact(database, "mql", owner_rep_id=1)
    before = snapshot(database)
    with pytest.raises(TransitionNotAllowed, match=re.escape(refusal)) as refused:
        move(database, contract, vocabulary, contact_id, "disqualified", reason_code=reason)
    assert str(refused.value).startswith(f"contact {contact_id}: mql -> disqualified not allowed")
    assert snapshot(database) == before


def test_check_reason_is_the_pure_rule_every_write_path_shares(vocabulary: Vocabulary) -> None:
    assert check_reason(vocabulary, "no_budget") is None
    assert check_reason(vocabulary, None) == "a reason code is required"
    assert check_reason(vocabulary, "nope") == "unknown reason code 'nope'"
    assert check_reason(vocabulary, "spam") == "reason code 'spam' is retired (inactive)"


def test_an_applied_move_changes_the_stage_and_writes_one_history_row(
    database: Engine, contract: Contract, vocabulary: Vocabulary
) -> None:
    contact_id = add_contact(database, "mql", owner_rep_id=1)
    move(
        database, contract, vocabulary, contact_id, "disqualified",
        reason_code="no_budget", note="seed stage", at=MOVED, rulebook_version="r7",
    )  # fmt: skip
    with database.connect() as connection:
        contact = connection.execute(select(Contact).where(Contact.id == contact_id)).one()
        history = connection.execute(select(LifecycleEvent.__table__)).all()
    assert (contact.lifecycle_stage, contact.updated_at) == ("disqualified", MOVED)
    assert len(history) == 1
    row = history[0]
    assert (row.contact_id, row.from_stage, row.to_stage) == (contact_id, "mql", "disqualified")
    assert (row.actor, row.reason_code, row.note) == ("test", "no_budget", "seed stage")
    assert (row.occurred_at, row.rulebook_version) == (MOVED, "r7")


@pytest.mark.parametrize(
    ("disqualified_for", "refusal"),
    [
        ("bad_timing", None),
        ("competitor", "last_reason_code is 'competitor', not one of bad_timing"),
    ],
)
def test_recycling_a_disqualified_contact_depends_on_why_it_was_disqualified(
    database: Engine,
    contract: Contract,
    vocabulary: Vocabulary,
    disqualified_for: str,
    refusal: str | None,
) -> None:
    contact_id = add_contact(database, "lead")
    move(database, contract, vocabulary, contact_id, "disqualified", reason_code=disqualified_for)
    if refusal is None:
        assert move(database, contract, vocabulary, contact_id, "nurture").to_stage == "nurture"
        return
    with pytest.raises(TransitionNotAllowed, match=re.escape(refusal)):
        move(database, contract, vocabulary, contact_id, "nurture")


def test_every_unmet_guard_is_named(
    database: Engine, contract: Contract, vocabulary: Vocabulary
) -> None:
    contact_id = add_contact(database, "lead")
    facts = {"score": 10, "threshold": 60, "failed_gates": ["email_valid"]}
    with pytest.raises(TransitionNotAllowed) as refused:
        move(database, contract, vocabulary, contact_id, "mql", facts=facts)
    assert refused.value.missing == (
        "guard score_reaches_threshold: score 10 is below threshold (60); "
        "guard quality_gates_pass: failed_gates is not empty: email_valid"
    )


def test_a_missing_contact_is_refused(
    database: Engine, contract: Contract, vocabulary: Vocabulary
) -> None:
    with pytest.raises(TransitionNotAllowed, match="no such contact"):
        move(database, contract, vocabulary, 404, "mql", facts=HOT)


def test_facts_the_contract_does_not_declare_are_a_caller_error(
    database: Engine, contract: Contract, vocabulary: Vocabulary
) -> None:
    contact_id = add_contact(database, "lead")
    with pytest.raises(ConfigError, match="unknown facts scroe"):
        move(database, contract, vocabulary, contact_id, "mql", facts={**HOT, "scroe": 1})
