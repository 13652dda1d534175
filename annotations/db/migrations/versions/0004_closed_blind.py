"""Closed seminars and blind mode: seminars.closed/blind/revealed, memberships.submitted_at.

Existing seminars become open, not blind: they behave exactly as before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seminars") as batch_op:
        for name in ("closed", "blind", "revealed"):
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("memberships") as batch_op:
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memberships") as batch_op:
        batch_op.drop_column("submitted_at")
    with op.batch_alter_table("seminars") as batch_op:
        for name in ("revealed", "blind", "closed"):
            batch_op.drop_column(name)
