"""The canonical data model on every backend: migrations, keys, constraints."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from scoring.db.migrate import current_revision, downgrade, head_revision, upgrade
from scoring.db.models import Account, Base, Contact, DisqualificationReason, LifecycleEvent
from scoring.reasons import load_reasons
from scoring.store.reasons import sync_reasons

NOW = datetime(2026, 1, 5, 9, 30)


def _contact(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "external_id": "c-1",
        "email": "ada@example.com",
        "lifecycle_stage": "lead",
        "created_at": NOW,
        "updated_at": NOW,
        "do_not_contact": False,
    }
    values.update(overrides)
    return values


def test_migrations_upgrade_from_empty_create_every_table(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert current_revision(empty_engine) == head_revision(empty_engine)


def test_migrations_downgrade_to_base_and_up_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert "contacts" not in inspect(empty_engine).get_table_names()
    upgrade(empty_engine)
    assert "contacts" in inspect(empty_engine).get_table_names()


def test_contact_email_is_unique(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact()))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact(external_id="c-2")))


def test_contact_foreign_key_to_account_is_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact(account_id=999)))


def test_unknown_lifecycle_stage_is_refused_by_the_database(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact(lifecycle_stage="hot")))


def test_disqualification_history_row_needs_a_reason(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact(id=1)))
    event = {"contact_id": 1, "from_stage": "mql", "to_stage": "disqualified", "occurred_at": NOW}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(LifecycleEvent).values(**event, actor="test"))


def test_reason_code_must_exist_in_vocabulary(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Contact).values(**_contact(id=1)))
        sync_reasons(connection, load_reasons())
    event = {"contact_id": 1, "from_stage": "mql", "to_stage": "disqualified", "occurred_at": NOW}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(LifecycleEvent).values(**event, actor="t", reason_code="nope"))
    with engine.begin() as connection:
        connection.execute(
            insert(LifecycleEvent).values(**event, actor="t", reason_code="no_budget")
        )


def test_reason_sync_is_idempotent_and_keeps_inactive_codes(engine: Engine) -> None:
    vocabulary = load_reasons()
    for _ in range(2):
        with engine.begin() as connection:
            sync_reasons(connection, vocabulary)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(
                select(DisqualificationReason.code, DisqualificationReason.active)
            ).all()
        )
    assert len(rows) == len(vocabulary.reasons)
    assert rows["spam"] is False
    assert rows["no_budget"] is True


def test_account_domain_is_unique(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Account).values(name="A", domain="a.example"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Account).values(name="B", domain="a.example"))
