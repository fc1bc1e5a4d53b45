"""Migration 0014 (the proposer's issuer and subject on each proposal) keeps the proposals stored."""

from __future__ import annotations

from sqlalchemy import Engine, text

from scoring.db.migrate import downgrade, upgrade

BEFORE = "0013_objective_alerts"
PROPOSAL = (
    "INSERT INTO policy_proposals (id, kind, action, base_version, text, note, proposed_by, "
    "proposed_at, status) VALUES (1, 'rulebook', 'published', '2026.12.1', 'x', 'wider net', "
    "'alice@example.com', '2026-12-07 09:00:00', 'open')"
)


def test_upgrade_keeps_open_proposals_and_downgrade_restores_them(empty_engine: Engine) -> None:
    upgrade(empty_engine, BEFORE)
    with empty_engine.begin() as connection:
        connection.execute(text(PROPOSAL))
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        row = connection.execute(
            text("SELECT proposed_by, proposer_iss, proposer_sub, status FROM policy_proposals")
        ).one()
        assert tuple(row) == ("alice@example.com", None, None, "open")
        connection.execute(
            text("UPDATE policy_proposals SET proposer_iss = 'https://idp', proposer_sub = 'a1'")
        )
    downgrade(empty_engine, BEFORE)
    with empty_engine.connect() as connection:
        kept = connection.execute(text("SELECT id, note, status FROM policy_proposals")).one()
    assert tuple(kept) == (1, "wider net", "open")
    upgrade(empty_engine)
