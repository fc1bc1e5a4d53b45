"""rescore queue: leads waiting to be rescored in batches

Revision ID: 0008_rescore_queue
Revises: 0007_rulebook_versions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_rescore_queue"
down_revision = "0007_rulebook_versions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rescore_queue",
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_rescore_queue_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_rescore_queue")),
    )
    with op.batch_alter_table("rescore_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rescore_queue_queued_at"), ["queued_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rescore_queue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rescore_queue_queued_at"))
    op.drop_table("rescore_queue")
