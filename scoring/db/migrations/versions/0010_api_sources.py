"""API sources with scopes, rate limits and rotating secrets; the replay store counts per source

Revision ID: 0010_api_sources
Revises: 0009_policy_versions

`api_sources` holds each sender's scopes, rate limit and revocation; `api_secrets` the salts its
(at most two active) secrets are derived from with the server key. `request_nonces` gains an index
on (source, received_at): the last minute of a source's nonces is its request count.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_api_sources"
down_revision = "0009_policy_versions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_sources",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_api_sources")),
    )
    op.create_table(
        "api_secrets",
        sa.Column("id", ID, nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"], ["api_sources.name"], name=op.f("fk_api_secrets_source_api_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_secrets")),
    )
    op.create_index(op.f("ix_api_secrets_source"), "api_secrets", ["source"])
    op.create_index(
        "ix_request_nonces_source_received_at", "request_nonces", ["source", "received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_request_nonces_source_received_at", table_name="request_nonces")
    op.drop_index(op.f("ix_api_secrets_source"), table_name="api_secrets")
    op.drop_table("api_secrets")
    op.drop_table("api_sources")
