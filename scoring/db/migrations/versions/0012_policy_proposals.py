"""four-eyes publishing: proposals that take effect only when a different publisher approves them

Revision ID: 0012_policy_proposals
Revises: 0011_crm_pipeline

`policy_proposals` holds each proposed publish or rollback (kind, the text, the version in force
when proposed, the diff and what-if effect shown to the approver) and its decision: approved (with
the version it became) or rejected, by whom and when. Proposals, approvals and rejections are also
rows of `audit_log`, like publishes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_policy_proposals"
down_revision = "0011_crm_pipeline"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "policy_proposals",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("base_version", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("published_version", sa.String(length=60), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'approved', 'rejected')",
            name=op.f("ck_policy_proposals_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_proposals")),
    )
    op.create_index("ix_policy_proposals_status", "policy_proposals", ["status"])


def downgrade() -> None:
    op.drop_index("ix_policy_proposals_status", table_name="policy_proposals")
    op.drop_table("policy_proposals")
