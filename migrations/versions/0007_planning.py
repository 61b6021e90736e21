"""Planning: calendar feed secrets, and the indexes behind the rule checks and the coverage query.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-21 23:31:47.918123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liaison.database

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", liaison.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index("ix_assignments_shift_cover", ["shift_id", "user_id", "deleted_at"], unique=False)
        batch_op.create_index(
            "ix_assignments_user_live",
            ["user_id", "shift_id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_id_languages", ["id", "languages"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_id_languages")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_assignments_user_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index("ix_assignments_shift_cover")

    op.drop_table("calendar_feeds")
