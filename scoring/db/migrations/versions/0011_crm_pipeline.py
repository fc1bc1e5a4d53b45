"""The whole CRM: opportunities with product, currency and stage history; a rep roster; accounts by name

Revision ID: 0011_crm_pipeline
Revises: 0010_api_sources

- `reps` gains `external_id` (unique), `manager` and `office`; `email`, `team` and `territory`
  become optional (an imported roster may know a rep by name only).
- `accounts` gains `external_id` (unique) and `parent_account_id`, and an index on `name` (accounts
  known only by name are matched by it).
- `opportunities` gains `product`, `currency` and `engaged_at`.
- new tables `opportunity_stage_changes` (append-only stage history) and `products` (a price list).

On SQLite, `reps` and `accounts` are rebuilt (batch mode); scoring.db.migrations.env switches foreign
keys off for the rebuild and checks them afterwards. Downgrading gives reps without an email a
placeholder address (`rep-<id>@unknown.invalid`) and an empty team and territory.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_crm_pipeline"
down_revision = "0010_api_sources"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("reps") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("manager", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("office", sa.String(length=100), nullable=True))
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch.alter_column("team", existing_type=sa.String(length=100), nullable=True)
        batch.alter_column("territory", existing_type=sa.String(length=100), nullable=True)
        batch.create_index(batch.f("ix_reps_external_id"), ["external_id"], unique=True)
        batch.create_index(batch.f("ix_reps_office"), ["office"], unique=False)
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("parent_account_id", ID, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_accounts_parent_account_id_accounts"),
            "accounts",
            ["parent_account_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_accounts_external_id"), ["external_id"], unique=True)
        batch.create_index(batch.f("ix_accounts_parent_account_id"), ["parent_account_id"])
        batch.create_index(batch.f("ix_accounts_name"), ["name"])
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("engaged_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("product", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    op.create_table(
        "opportunity_stage_changes",
        sa.Column("id", ID, nullable=False),
        sa.Column("opportunity_id", ID, nullable=False),
        sa.Column("from_stage", sa.String(length=40), nullable=True),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_stage_changes_opportunity_id_opportunities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_stage_changes")),
    )
    op.create_index(
        "ix_opportunity_stage_changes_opportunity_id_occurred_at",
        "opportunity_stage_changes",
        ["opportunity_id", "occurred_at"],
    )
    op.create_table(
        "products",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=True),
        sa.Column("list_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.CheckConstraint(
            "list_price IS NULL OR list_price >= 0",
            name=op.f("ck_products_list_price_non_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("name", name=op.f("uq_products_name")),
    )


def downgrade() -> None:
    op.drop_table("products")
    op.drop_index(
        "ix_opportunity_stage_changes_opportunity_id_occurred_at",
        table_name="opportunity_stage_changes",
    )
    op.drop_table("opportunity_stage_changes")
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("currency")
        batch.drop_column("product")
        batch.drop_column("engaged_at")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index(batch.f("ix_accounts_name"))
        batch.drop_index(batch.f("ix_accounts_parent_account_id"))
        batch.drop_index(batch.f("ix_accounts_external_id"))
        batch.drop_constraint(batch.f("fk_accounts_parent_account_id_accounts"), type_="foreignkey")
        batch.drop_column("parent_account_id")
        batch.drop_column("external_id")
    op.execute(
        "UPDATE reps SET email = 'rep-' || CAST(id AS VARCHAR(20)) || '@unknown.invalid' "
        "WHERE email IS NULL"
    )
    op.execute("UPDATE reps SET team = '' WHERE team IS NULL")
    op.execute("UPDATE reps SET territory = '' WHERE territory IS NULL")
    with op.batch_alter_table("reps") as batch:
        batch.drop_index(batch.f("ix_reps_office"))
        batch.drop_index(batch.f("ix_reps_external_id"))
        batch.alter_column("territory", existing_type=sa.String(length=100), nullable=False)
        batch.alter_column("team", existing_type=sa.String(length=100), nullable=False)
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch.drop_column("office")
        batch.drop_column("manager")
        batch.drop_column("external_id")
