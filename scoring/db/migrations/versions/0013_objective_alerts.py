"""objective alerts through the outbox: outbox rows gain a topic, objectives keep their last state

Revision ID: 0013_objective_alerts
Revises: 0012_policy_proposals

- `handoff_outbox` gains `topic` ("handoff" for an MQL handoff, "alert" for an objective's breach or
  recovery); `contact_id` becomes optional (an alert names no contact) and a CHECK keeps it required
  for handoffs. Existing rows are handoffs.
- new table `objective_states`: per objective, whether its last alert said breached, when, and
  that alert's idempotency key (an alert goes out only when the state changes).

On SQLite, `handoff_outbox` is rebuilt (batch mode). Downgrading deletes the alert rows (and their
attempts) first: the old schema has no place for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_objective_alerts"
down_revision = "0012_policy_proposals"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.add_column(
            sa.Column("topic", sa.String(length=20), server_default="handoff", nullable=False)
        )
        batch.alter_column("contact_id", existing_type=ID, nullable=True)
        batch.create_check_constraint("ck_handoff_outbox_topic", "topic IN ('handoff', 'alert')")
        batch.create_check_constraint(
            "ck_handoff_outbox_handoff_has_contact",
            "topic <> 'handoff' OR contact_id IS NOT NULL",
        )
    op.create_table(
        "objective_states",
        sa.Column("objective", sa.String(length=200), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("alert_key", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("objective", name=op.f("pk_objective_states")),
    )


def downgrade() -> None:
    op.drop_table("objective_states")
    op.execute(
        "DELETE FROM handoff_attempts WHERE outbox_id IN "
        "(SELECT id FROM handoff_outbox WHERE topic = 'alert')"
    )
    op.execute("DELETE FROM handoff_outbox WHERE topic = 'alert'")
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.drop_constraint("ck_handoff_outbox_handoff_has_contact", type_="check")
        batch.drop_constraint("ck_handoff_outbox_topic", type_="check")
        batch.alter_column("contact_id", existing_type=ID, nullable=False)
        batch.drop_column("topic")
