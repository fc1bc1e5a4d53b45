"""four-eyes by stable identity: the proposer's issuer and subject on each proposal

Revision ID: 0014_proposer_identity
Revises: 0013_objective_alerts

An email can be changed at the identity provider (and is not always verified), so comparing the
approver's email with the proposer's let one person approve their own proposal under a colleague's
address. `policy_proposals` now keeps the proposer's `iss` and `sub` claims, which the provider
never reuses or changes; proposals made before this migration (and by the command line or a
single-user dashboard, which have no subject) keep NULL and are compared by name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_proposer_identity"
down_revision = "0013_objective_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_proposals") as batch:
        batch.add_column(sa.Column("proposer_iss", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("proposer_sub", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_proposals") as batch:
        batch.drop_column("proposer_sub")
        batch.drop_column("proposer_iss")
