"""published rulebook versions and the audit log

Revision ID: 0007_rulebook_versions
Revises: 0006_handoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rulebook_versions"
down_revision = "0006_handoff"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rulebook_versions",
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("parent_version", sa.String(length=60), nullable=True),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_rulebook_versions")),
    )
    op.create_index(
        op.f("ix_rulebook_versions_published_at"), "rulebook_versions", ["published_at"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_occurred_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_rulebook_versions_published_at"), table_name="rulebook_versions")
    op.drop_table("rulebook_versions")
