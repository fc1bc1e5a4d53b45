"""CRM verdicts parked as "needs reason": a disqualification that arrived without its reason

Revision ID: 0015_needs_reason
Revises: 0014_proposer_identity

New table `parked_feedback`: one row per CRM event (unique by source and event id) whose move needs
a reason it did not carry (HubSpot's `hs_lead_status = UNQUALIFIED` without a reason property).
The lead does not move; the row waits (`status = 'waiting'`) until a person gives the reason, which
applies the move through the contract (`applied`) or is refused by it (`refused`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_needs_reason"
down_revision = "0014_proposer_identity"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "parked_feedback",
        sa.Column("id", ID, nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'applied', 'refused')", name=op.f("ck_parked_feedback_status")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_parked_feedback_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked_feedback")),
        sa.UniqueConstraint("source", "event_id", name=op.f("uq_parked_feedback_source_event_id")),
    )
    op.create_index(
        op.f("ix_parked_feedback_contact_id"), "parked_feedback", ["contact_id"], unique=False
    )
    op.create_index(op.f("ix_parked_feedback_status"), "parked_feedback", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_parked_feedback_status"), table_name="parked_feedback")
    op.drop_index(op.f("ix_parked_feedback_contact_id"), table_name="parked_feedback")
    op.drop_table("parked_feedback")
