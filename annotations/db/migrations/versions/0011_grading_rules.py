"""The instructor's grading rule per seminar: participation into a grade for the LMS.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grading_rules",
        sa.Column("seminar_id", sa.Integer(), sa.ForeignKey("seminars.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("annotations", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("min_words", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(80), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("grading_rules")
