"""Security model: look-alike name keys, site roles, seminar-scoped texts, sign-in throttling.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from annotations.names import name_key

    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(400), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("site_role", sa.String(20), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_users_name_key", ["name_key"])
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("name_key", sa.String))
    conn = op.get_bind()
    for uid, username in conn.execute(sa.select(users.c.id, users.c.username)).all():
        conn.execute(users.update().where(users.c.id == uid)
                     .values(name_key=name_key(username)))
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("seminar_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_documents_seminar_id", ["seminar_id"])
        batch_op.create_foreign_key("fk_documents_seminar_id", "seminars", ["seminar_id"],
                                    ["id"], ondelete="CASCADE")
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(80), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_login_failures_client", ["client"])
    op.create_table(
        "known_devices",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_known_devices_user_id", "known_devices", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_known_devices_user_id", "known_devices")
    op.drop_table("known_devices")
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.drop_index("ix_login_failures_client")
        batch_op.drop_column("client")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_constraint("fk_documents_seminar_id", type_="foreignkey")
        batch_op.drop_index("ix_documents_seminar_id")
        batch_op.drop_column("seminar_id")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_name_key")
        batch_op.drop_column("site_role")
        batch_op.drop_column("name_key")
