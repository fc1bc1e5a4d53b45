"""published versions of every definition; full-precision scores with their versions and as-of time

Revision ID: 0009_policy_versions
Revises: 0008_rescore_queue

`rulebook_versions` becomes `policy_versions` (kind = rulebook, lifecycle, reasons or model); its
rows are copied in publish order. Scores were NUMERIC(10, 2): they become double precision, and a
score row and a history row now say which contract version (and, for scores, which as-of time)
produced them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_policy_versions"
down_revision = "0008_rescore_queue"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SCORE_COLUMNS = ("score", "fit", "engagement", "threshold")


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("parent_version", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_policy_versions_kind_version")),
    )
    op.create_index("ix_policy_versions_kind_id", "policy_versions", ["kind", "id"])
    op.execute(
        "INSERT INTO policy_versions (kind, version, parent_version, text, published_at, "
        "published_by, note) SELECT 'rulebook', version, parent_version, yaml, published_at, "
        "published_by, note FROM rulebook_versions ORDER BY published_at, version"
    )
    op.drop_index(op.f("ix_rulebook_versions_published_at"), table_name="rulebook_versions")
    op.drop_table("rulebook_versions")
    with op.batch_alter_table("lead_scores") as batch:
        for name in SCORE_COLUMNS:
            batch.alter_column(
                name, type_=sa.Double(), existing_nullable=name in ("fit", "engagement")
            )
        batch.add_column(sa.Column("contract_version", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("as_of", sa.DateTime(), nullable=True))
    with op.batch_alter_table("lifecycle_events") as batch:
        batch.add_column(sa.Column("contract_version", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lifecycle_events") as batch:
        batch.drop_column("contract_version")
    with op.batch_alter_table("lead_scores") as batch:
        batch.drop_column("as_of")
        batch.drop_column("contract_version")
        for name in SCORE_COLUMNS:
            batch.alter_column(
                name,
                type_=sa.Numeric(10, 2, asdecimal=False),
                existing_nullable=name in ("fit", "engagement"),
            )
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
    op.execute(
        "INSERT INTO rulebook_versions (version, parent_version, yaml, published_at, "
        "published_by, note) SELECT version, parent_version, text, published_at, published_by, "
        "note FROM policy_versions WHERE kind = 'rulebook'"
    )
    op.drop_index("ix_policy_versions_kind_id", table_name="policy_versions")
    op.drop_table("policy_versions")
