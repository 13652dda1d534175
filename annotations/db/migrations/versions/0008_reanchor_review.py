"""Where a re-anchored annotation awaiting review came from.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch_op:
        batch_op.add_column(sa.Column("previous_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_end", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_annotations_previous_version", "document_versions",
                                    ["previous_version_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("annotations") as batch_op:
        batch_op.drop_constraint("fk_annotations_previous_version", type_="foreignkey")
        batch_op.drop_column("previous_end")
        batch_op.drop_column("previous_start")
        batch_op.drop_column("previous_version_id")
