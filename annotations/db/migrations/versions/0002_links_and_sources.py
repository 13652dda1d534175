"""Links between annotations, machine-suggestion sources and decisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=120), nullable=False, server_default="")
        )
    op.create_table(
        "annotation_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seminar_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("from_annotation_id", sa.String(length=36), nullable=False),
        sa.Column("to_annotation_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seminar_id"], ["seminars.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_annotation_id"], ["annotations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_annotation_id"], ["annotations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("annotation_links") as batch_op:
        batch_op.create_index("ix_annotation_links_from", ["from_annotation_id"])
        batch_op.create_index("ix_annotation_links_to", ["to_annotation_id"])
    op.create_table(
        "suggestion_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seminar_id", sa.Integer(), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("suggestion_key", sa.String(length=300), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("annotation_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seminar_id"], ["seminars.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seminar_id", "annotator", "suggestion_key"),
    )


def downgrade() -> None:
    op.drop_table("suggestion_decisions")
    op.drop_table("annotation_links")
    with op.batch_alter_table("annotations") as batch_op:
        batch_op.drop_column("source")
