"""LTI 1.3: registered platforms, the tool's key, login states, platform accounts, links.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("issuer", sa.String(400), nullable=False),
        sa.Column("client_id", sa.String(400), nullable=False),
        sa.Column("deployment_ids", sa.JSON(), nullable=False),
        sa.Column("auth_url", sa.Text(), nullable=False),
        sa.Column("token_url", sa.Text(), nullable=False),
        sa.Column("jwks_url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("issuer", "client_id"),
    )
    op.create_table(
        "lti_keys",
        sa.Column("kid", sa.String(80), primary_key=True),
        sa.Column("private_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "lti_login_states",
        sa.Column("state", sa.String(80), primary_key=True),
        sa.Column("nonce", sa.String(80), nullable=False),
        sa.Column("platform_id", sa.Integer(),
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_lti_login_states_platform_id", "lti_login_states", ["platform_id"])
    op.create_index("ix_lti_login_states_expires_at", "lti_login_states", ["expires_at"])
    op.create_table(
        "lti_accounts",
        sa.Column("issuer", sa.String(400), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
    )
    op.create_table(
        "lti_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform_id", sa.Integer(),
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("seminar_id", sa.Integer(), sa.ForeignKey("seminars.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("document_id", sa.String(80), nullable=False),
        sa.Column("memberships_url", sa.Text(), nullable=False),
        sa.Column("lineitem_url", sa.Text(), nullable=False),
        sa.Column("ags_scopes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("platform_id", "resource_link_id"),
    )
    op.create_index("ix_lti_links_seminar_id", "lti_links", ["seminar_id"])


def downgrade() -> None:
    op.drop_index("ix_lti_links_seminar_id", table_name="lti_links")
    op.drop_table("lti_links")
    op.drop_table("lti_accounts")
    op.drop_index("ix_lti_login_states_expires_at", table_name="lti_login_states")
    op.drop_index("ix_lti_login_states_platform_id", table_name="lti_login_states")
    op.drop_table("lti_login_states")
    op.drop_table("lti_keys")
    op.drop_table("lti_platforms")
