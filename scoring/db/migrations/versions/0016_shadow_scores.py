"""shadow and canary rulebooks: the scores a candidate rulebook gives, kept apart from lead_scores

Revision ID: 0016_shadow_scores
Revises: 0015_needs_reason

New table `shadow_scores`: per lead, the latest score under the shadow (or canary) rulebook, the
shadow publish that produced it (`shadow_version`, a `policy_versions` row of kind `shadow`) and
whether the canary handed the lead off under the candidate. Nothing in it is ever handed off.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_shadow_scores"
down_revision = "0015_needs_reason"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shadow_scores",
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("fit", sa.Double(), nullable=True),
        sa.Column("engagement", sa.Double(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("failed_gates", sa.JSON(), nullable=False),
        sa.Column("rulebook_version", sa.String(length=60), nullable=False),
        sa.Column("shadow_version", sa.String(length=60), nullable=False),
        sa.Column("canary", sa.Boolean(), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_shadow_scores_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_shadow_scores")),
    )
    op.create_index(
        op.f("ix_shadow_scores_shadow_version"), "shadow_scores", ["shadow_version"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shadow_scores_shadow_version"), table_name="shadow_scores")
    op.drop_table("shadow_scores")
