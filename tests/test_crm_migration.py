"""Migration 0011 (opportunities, rep roster, accounts by name) keeps the rows already stored."""

from __future__ import annotations

from sqlalchemy import Engine, text

from scoring.db.migrate import downgrade, upgrade

BEFORE = "0010_api_sources"


def _seed(engine: Engine) -> None:
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO reps (id, email, name, team, territory, weekly_capacity, active) "
            "VALUES (1, 'ada@example.com', 'Ada', 'Enterprise', 'NA-ENT', 5, true)",
            "INSERT INTO accounts (id, name, domain, owner_rep_id) VALUES (1, 'Acme', 'acme.com', 1)",
            "INSERT INTO contacts (id, external_id, lifecycle_stage, account_id, owner_rep_id, "
            "do_not_contact, created_at, updated_at) VALUES (1, 'c-1', 'lead', 1, 1, false, "
            "'2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            "INSERT INTO opportunities (id, external_id, account_id, primary_contact_id, stage, "
            "created_at, is_closed, is_won) VALUES (1, 'o-1', 1, 1, 'closed_won', "
            "'2024-02-01 00:00:00', true, true)",
        ):
            connection.execute(text(statement))


def test_upgrade_keeps_referenced_reps_and_accounts_and_downgrade_restores_them(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, BEFORE)
    _seed(empty_engine)
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        assert connection.execute(text("SELECT id, email, team, office FROM reps")).all() == [
            (1, "ada@example.com", "Enterprise", None)
        ]
        assert connection.execute(
            text("SELECT id, owner_rep_id, parent_account_id FROM accounts")
        ).all() == [(1, 1, None)]
        connection.execute(
            text(
                "INSERT INTO reps (id, name, external_id, weekly_capacity, active) "
                "VALUES (2, 'Moses', 'crm:moses', 0, true)"
            )
        )
    downgrade(empty_engine, BEFORE)
    with empty_engine.connect() as connection:
        reps = connection.execute(text("SELECT email, team FROM reps ORDER BY id")).all()
        contact = connection.execute(text("SELECT account_id, owner_rep_id FROM contacts")).one()
    assert reps == [("ada@example.com", "Enterprise"), ("rep-2@unknown.invalid", "")]
    assert tuple(contact) == (1, 1)
    upgrade(empty_engine)


def test_sqlite_enforces_foreign_keys_again_after_a_migration(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
